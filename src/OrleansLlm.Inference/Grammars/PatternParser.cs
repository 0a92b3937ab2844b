using System.Globalization;
using System.Text;

namespace OrleansLlm.Inference.Grammars;

/// <summary>
/// Parses the ECMA-262 regular expressions JSON Schema's <c>pattern</c> uses, the subset GBNF
/// can express: literals, escapes, classes, <c>.</c>, groups (capturing, <c>(?:)</c>, named),
/// alternation, quantifiers (lazy ones match the same strings) and <c>^</c>/<c>$</c> at the
/// ends of the pattern or of its top-level alternatives. Lookaround, backreferences, word
/// boundaries and Unicode property escapes are refused with an <see cref="ArgumentException"/>.
/// </summary>
internal sealed partial class PatternParser
{
    /// <summary>Quantifier bounds above this are refused before any grammar is built.</summary>
    public const int MaxBound = GbnfRules.MaxExpansion;

    /// <summary>Groups nest at most this deep: parsing and writing them recurse, and a client chooses the depth.</summary>
    public const int MaxDepth = 32;

    private readonly string _pattern;
    private readonly string _path;
    private int _pos;

    private PatternParser(string pattern, string path)
    {
        _pattern = pattern;
        _path = path;
    }

    public static IReadOnlyList<PatternBranch> Parse(string pattern, string path)
    {
        var parser = new PatternParser(pattern, path);
        var branches = new List<PatternBranch>();
        do
        {
            var start = parser.TryConsume('^');
            var body = parser.Sequence(depth: 0, out var end);
            branches.Add(new PatternBranch(body, start, end));
        }
        while (parser.TryConsume('|'));
        if (parser._pos < pattern.Length)
            throw parser.Error($"unbalanced ')' at offset {parser._pos}");
        return branches;
    }

    private PatternNode Disjunction(int depth)
    {
        var options = new List<PatternNode> { Sequence(depth, out _) };
        while (TryConsume('|'))
            options.Add(Sequence(depth, out _));
        return options.Count == 1 ? options[0] : new AlternationNode(options);
    }

    private PatternNode Sequence(int depth, out bool anchoredEnd)
    {
        anchoredEnd = false;
        var items = new List<PatternNode>();
        while (_pos < _pattern.Length)
        {
            var c = _pattern[_pos];
            if (c == '|' || (c == ')' && depth > 0))
                break;
            if (c == ')')
                throw Error($"unbalanced ')' at offset {_pos}");
            if (c == '^')
                throw Error("'^' is supported only at the start of the pattern or of a top-level alternative");
            if (c == '$')
            {
                _pos++;
                if (depth == 0 && (_pos == _pattern.Length || _pattern[_pos] == '|'))
                {
                    anchoredEnd = true;
                    break;
                }
                throw Error("'$' is supported only at the end of the pattern or of a top-level alternative");
            }
            items.Add(Quantified(Atom(depth)));
        }
        return items.Count == 1 ? items[0] : new SequenceNode(items);
    }

    private PatternNode Quantified(PatternNode atom)
    {
        if (!TryQuantifier(out var min, out var max))
            return atom;
        TryConsume('?'); // lazy: the same strings match
        if (_pos < _pattern.Length && (_pattern[_pos] is '*' or '+' or '?' || (_pattern[_pos] == '{' && LooksLikeQuantifier())))
            throw Error($"a quantifier follows another quantifier at offset {_pos}");
        return new RepeatNode(atom, min, max);
    }

    private bool TryQuantifier(out int min, out int? max)
    {
        (min, max) = (0, null);
        if (_pos >= _pattern.Length)
            return false;
        switch (_pattern[_pos])
        {
            case '*':
                _pos++;
                return true;
            case '+':
                _pos++;
                (min, max) = (1, null);
                return true;
            case '?':
                _pos++;
                (min, max) = (0, 1);
                return true;
            case '{' when LooksLikeQuantifier():
                _pos++;
                min = Number();
                max = min;
                if (TryConsume(','))
                    max = _pattern[_pos] == '}' ? null : Number();
                _pos++; // '}'
                if (max < min)
                    throw Error($"quantifier {{{min},{max}}} has its maximum below its minimum");
                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether a '{' starts <c>{n}</c>, <c>{n,}</c> or <c>{n,m}</c>; otherwise it is a literal brace (Annex B).</summary>
    private bool LooksLikeQuantifier()
    {
        var close = _pattern.IndexOf('}', _pos);
        if (close < 0)
            return false;
        var inside = _pattern[(_pos + 1)..close].Split(',');
        return inside.Length is 1 or 2 && inside[0].Length > 0 && inside.All(part => part.All(char.IsAsciiDigit)) && (inside.Length == 1 || inside[1].Length >= 0);
    }

    private int Number()
    {
        var start = _pos;
        while (_pos < _pattern.Length && char.IsAsciiDigit(_pattern[_pos]))
            _pos++;
        if (!int.TryParse(_pattern.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > MaxBound)
            throw Error($"quantifier bound {_pattern[start.._pos]} is over the largest supported, {MaxBound}");
        return value;
    }

    private PatternNode Atom(int depth)
    {
        var c = _pattern[_pos];
        switch (c)
        {
            case '(':
                if (depth >= MaxDepth)
                    throw Error($"groups nest more than {MaxDepth} deep");
                _pos++;
                GroupPrefix();
                var inner = Disjunction(depth + 1);
                if (!TryConsume(')'))
                    throw Error("unbalanced '('");
                return inner;
            case '.':
                _pos++;
                return new CharNode(CharSet.Dot);
            case '[':
                return new CharNode(Class());
            case '\\':
                _pos++;
                return new CharNode(Escape(inClass: false));
            case '*' or '+' or '?':
                throw Error($"nothing to repeat before '{c}' at offset {_pos}");
            case '{' when LooksLikeQuantifier():
                throw Error($"nothing to repeat before '{{' at offset {_pos}");
            default:
                return new CharNode(CharSet.Single(NextCodePoint()));
        }
    }

    private void GroupPrefix()
    {
        if (!TryConsume('?'))
            return;
        if (TryConsume(':'))
            return;
        if (Peek('<') && !Peek("<=") && !Peek("<!"))
        {
            var close = _pattern.IndexOf('>', _pos);
            if (close < 0)
                throw Error("unterminated group name");
            _pos = close + 1;
            return;
        }
        var what = Peek('=') || Peek('!') ? "lookahead" : Peek("<=") || Peek("<!") ? "lookbehind" : "group modifier";
        throw Error($"{what} '(?{(_pos < _pattern.Length ? _pattern[_pos] : ' ')}' is not supported (GBNF cannot express it)");
    }

    private bool Peek(char c) => _pos < _pattern.Length && _pattern[_pos] == c;

    private bool Peek(string s) => string.CompareOrdinal(_pattern, _pos, s, 0, s.Length) == 0;

    private bool TryConsume(char c)
    {
        if (!Peek(c))
            return false;
        _pos++;
        return true;
    }

    private ArgumentException Error(string message) => new($"format schema: 'pattern' /{_pattern}/: {message} (at {_path})");
}
