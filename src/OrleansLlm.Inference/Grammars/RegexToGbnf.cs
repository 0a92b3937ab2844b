using System.Text;

namespace OrleansLlm.Inference.Grammars;

/// <summary>
/// A JSON string whose value matches a <c>pattern</c>, as GBNF. The regular expression speaks of
/// the string's characters, the grammar of its JSON text, so each character is written as JSON
/// writes it (<c>"</c> as <c>\"</c>, a newline as <c>\n</c>). JSON Schema patterns are not
/// anchored: a branch without <c>^</c> may start with any characters, one without <c>$</c> end with any.
/// </summary>
internal static class RegexToGbnf
{
    /// <param name="anyChar">The rule for one character of a JSON string, whatever it is.</param>
    public static string StringMatching(string pattern, string path, GbnfRules rules, string anyChar)
    {
        var branches = PatternParser.Parse(pattern, path);
        var emitter = new Emitter(rules);
        var alternatives = branches.Select(branch =>
        {
            var body = emitter.Emit(branch.Body).Text;
            if (body.Length == 0)
                return branch.AnchoredStart && branch.AnchoredEnd ? "\"\"" : anyChar + "*"; // "\"\"": only the empty string
            var parts = new[] { branch.AnchoredStart ? "" : anyChar + "*", body, branch.AnchoredEnd ? "" : anyChar + "*" };
            return string.Join(" ", parts.Where(p => p.Length > 0));
        }).ToList();
        return rules.Add("pattern", $"\"\\\"\" ({string.Join(" | ", alternatives)}) \"\\\"\" ws");
    }

    private sealed class Emitter(GbnfRules rules)
    {
        /// <summary>GBNF for <paramref name="node"/>; <c>Atom</c> when it is one symbol that a repetition can follow.</summary>
        public (string Text, bool Atom) Emit(PatternNode node) => node switch
        {
            CharNode c => Chars(c.Set),
            SequenceNode s => Sequence(s.Items),
            AlternationNode a => ($"({string.Join(" | ", a.Options.Select(o => Emit(o).Text))})", false),
            RepeatNode r => (Repeat(r), false),
            _ => throw new InvalidOperationException(node.GetType().Name),
        };

        private (string Text, bool Atom) Sequence(IReadOnlyList<PatternNode> items)
        {
            // Runs of single characters with one JSON form become one literal.
            if (items.Count == 1)
                return Emit(items[0]);
            var parts = new List<string>();
            var run = new StringBuilder();
            foreach (var item in items)
            {
                if (item is CharNode { Set.SingleOrNull: { } c } && Json(c) is { } json)
                {
                    run.Append(json);
                    continue;
                }
                Flush();
                parts.Add(Emit(item).Text);
            }
            Flush();
            var nonEmpty = parts.Where(p => p.Length > 0).ToList();
            return nonEmpty.Count switch
            {
                0 => ("", false),
                1 => (nonEmpty[0], parts.Count == 1 && items.All(i => i is CharNode) && nonEmpty[0].StartsWith('"')),
                _ => (string.Join(" ", nonEmpty), false),
            };

            void Flush()
            {
                if (run.Length == 0)
                    return;
                parts.Add(GbnfText.Literal(run.ToString()));
                run.Clear();
            }
        }

        private (string Text, bool Atom) Chars(CharSet set)
        {
            if (set.SingleOrNull is { } c && Json(c) is { } json)
                return (GbnfText.Literal(json), true);
            var expression = set.JsonCharsExpression();
            return expression.StartsWith('[') ? (expression, true) : (rules.Shared("chars", expression), true);
        }

        private string Repeat(RepeatNode node)
        {
            var (text, atom) = Emit(node.Item);
            if (text.Length == 0)
                return "";
            return rules.Repeat(atom ? text : rules.Shared("group", text), node.Min, node.Max);
        }

        /// <summary>The one JSON text of code point <paramref name="c"/> in a string, or null for control characters (several escapes).</summary>
        private static string? Json(int c) => c switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            < 0x20 => null,
            _ => char.ConvertFromUtf32(c is >= 0xD800 and <= 0xDFFF ? 0xFFFD : c),
        };
    }
}
