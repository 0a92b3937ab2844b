using System.Text.Json;
using static OrleansLlm.Inference.Grammars.SchemaKeywords;

namespace OrleansLlm.Inference.Grammars;

/// <summary>Strings: lengths, patterns and formats.</summary>
internal sealed partial class SchemaRules
{
    /// <summary>
    /// One character of a JSON string, as one code point: unescaped, a short escape, or a
    /// <c>\uXXXX</c> escape that is not half of a surrogate pair (a pair would be two escapes for
    /// one character, and lengths count characters).
    /// </summary>
    public const string CharRule = """char ::= [^"\\\x00-\x1F] | "\\" ["\\/bfnrt] | "\\u" ([0-9a-cA-CeEfF] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2})""";

    /// <summary>RFC 3339 as JSON Schema's formats mean it; the date checks days per month, leap years included.</summary>
    private static readonly Dictionary<string, string> FormatRules = new(StringComparer.Ordinal)
    {
        ["date"] = """( [0-9]{2} ("0" [48] | [2468] [048] | [13579] [26]) | ([02468] [048] | [13579] [26]) "00" ) "-02-29" | [0-9]{4} "-" ( ("0" [13578] | "1" [02]) "-" ("0" [1-9] | [12] [0-9] | "3" [01]) | ("0" [469] | "11") "-" ("0" [1-9] | [12] [0-9] | "30") | "02-" ("0" [1-9] | "1" [0-9] | "2" [0-8]) )""",
        ["time"] = """([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9] ":" [0-5] [0-9] ("." [0-9]{1,9})? ("Z" | [+\x2D] ([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9])""",
        ["uuid"] = """[0-9a-fA-F]{8} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{12}""",
    };

    /// <summary>A string: of any length, from <c>minLength</c> to <c>maxLength</c> characters, matching a <c>pattern</c>, or of a <c>format</c>.</summary>
    private string StringExpression(JsonElement schema, string path)
    {
        var keywords = Constraining(schema).Where(StringKeywords.Contains).ToList();
        if (schema.TryGetProperty("pattern", out var pattern))
        {
            CheckOnly("pattern", keywords, path);
            if (pattern.ValueKind != JsonValueKind.String)
                throw Error("'pattern' must be a string", path);
            return RegexToGbnf.StringMatching(pattern.GetString()!, path, _rules, "char");
        }
        if (schema.TryGetProperty("format", out var format))
        {
            CheckOnly("format", keywords, path);
            var name = format.ValueKind == JsonValueKind.String ? format.GetString()! : throw Error("'format' must be a string", path);
            if (!Formats.Contains(name))
                throw Error($"keyword 'format' with value '{name}' is not supported (supported: {string.Join(", ", Formats.Order(StringComparer.Ordinal))})", path);
            return _rules.Shared(name + "-string", $"\"\\\"\" {Format(name)} \"\\\"\" ws");
        }
        var min = Count(schema, "minLength", path) ?? 0;
        var max = Count(schema, "maxLength", path);
        if (max < min)
            throw Error($"'maxLength' {max} is below 'minLength' {min}: no string is allowed", path);
        if (min == 0 && max is null)
            return "string";
        return _rules.Add("string", $"\"\\\"\" {_rules.Repeat("char", min, max)} \"\\\"\" ws");
    }

    private string Format(string name) => name == "date-time"
        ? _rules.Shared("date-time", $"{Format("date")} \"T\" {Format("time")}")
        : _rules.Shared(name, FormatRules[name]);

    /// <summary>A pattern or a format with a length too would need the two intersected, which the grammar does not do.</summary>
    private static void CheckOnly(string keyword, List<string> stringKeywords, string path)
    {
        var other = stringKeywords.FirstOrDefault(k => k != keyword);
        if (other is not null)
            throw Error($"keyword '{other}' beside '{keyword}' is not supported", path);
    }
}
