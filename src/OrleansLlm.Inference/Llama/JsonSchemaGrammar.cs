using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrleansLlm.Inference.Llama;

/// <summary>
/// Turns a request's <c>format</c> — <c>"json"</c> or a JSON schema — into GBNF for llama.cpp's
/// grammar sampler. Schemas cover what structured-output clients send: objects (every listed
/// property, in schema order), arrays of items, strings, numbers, integers, booleans, null,
/// <c>enum</c>, <c>const</c> and <c>anyOf</c>/<c>oneOf</c>; anything else accepts any JSON value.
/// </summary>
internal static class JsonSchemaGrammar
{
    /// <summary>
    /// The largest grammar a request may bring, in characters. llama.cpp checks every candidate
    /// token against the grammar at each step, on the loop every request of the model shares, so
    /// the grammar's size is a cost everyone pays: measured in bench/results/grammar-cost.md.
    /// </summary>
    public const int MaxLength = 16 * 1024;

    private const string Primitives = """
        value   ::= object | array | string | number | ("true" | "false" | "null") ws
        object  ::= "{" ws ( string ":" ws value ("," ws string ":" ws value)* )? "}" ws
        array   ::= "[" ws ( value ("," ws value)* )? "]" ws
        string  ::= "\"" ( [^"\\\x7F\x00-\x1F] | "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) )* "\"" ws
        number  ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws
        integer ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ws
        boolean ::= ("true" | "false") ws
        null    ::= "null" ws
        ws      ::= | " " | "\n" [ \t]{0,20}
        """;

    /// <summary>The grammar for <paramref name="format"/>; an <see cref="ArgumentException"/> when it is neither "json" nor a schema.</summary>
    public static string For(string format)
    {
        if (format == "json")
            return "root ::= object\n" + Primitives;
        JsonDocument schema;
        try
        {
            schema = JsonDocument.Parse(format);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"format must be \"json\" or a JSON schema: {e.Message}", nameof(format), e);
        }
        using (schema)
        {
            if (schema.RootElement.ValueKind != JsonValueKind.Object)
                throw new ArgumentException("format must be \"json\" or a JSON schema object", nameof(format));
            var rules = new StringBuilder();
            var counter = 0;
            var root = Rule(schema.RootElement, rules, ref counter);
            var grammar = $"root ::= {root}\n{rules}{Primitives}";
            if (grammar.Length > MaxLength)
                throw new ArgumentException($"format: this JSON schema needs a grammar of {grammar.Length} characters, over the limit of {MaxLength}; use fewer enum values or properties", nameof(format));
            return grammar;
        }
    }

    /// <summary>Returns an expression for <paramref name="schema"/>, adding named rules as needed.</summary>
    private static string Rule(JsonElement schema, StringBuilder rules, ref int counter)
    {
        if (schema.ValueKind != JsonValueKind.Object)
            return "value";
        if (schema.TryGetProperty("const", out var constant))
            return Literal(constant);
        if (schema.TryGetProperty("enum", out var options) && options.ValueKind == JsonValueKind.Array)
            return "(" + string.Join(" | ", options.EnumerateArray().Select(Literal)) + ")";
        foreach (var key in new[] { "anyOf", "oneOf" })
        {
            if (schema.TryGetProperty(key, out var alternatives) && alternatives.ValueKind == JsonValueKind.Array)
            {
                var parts = new List<string>();
                foreach (var alternative in alternatives.EnumerateArray())
                    parts.Add(Rule(alternative, rules, ref counter));
                return "(" + string.Join(" | ", parts) + ")";
            }
        }
        var type = schema.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "string" or "number" or "integer" or "boolean" or "null":
                return type;
            case "array":
                var item = schema.TryGetProperty("items", out var items) ? Rule(items, rules, ref counter) : "value";
                var arrayName = Name("array", ref counter);
                rules.Append(CultureInfo.InvariantCulture, $"{arrayName} ::= \"[\" ws ( {item} (\",\" ws {item})* )? \"]\" ws\n");
                return arrayName;
            case "object" when schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object:
                var members = new List<string>();
                foreach (var property in properties.EnumerateObject())
                    members.Add($"{Literal(property.Name)} \":\" ws {Rule(property.Value, rules, ref counter)}");
                var objectName = Name("object", ref counter);
                rules.Append(CultureInfo.InvariantCulture, $"{objectName} ::= \"{{\" ws {string.Join(" \",\" ws ", members)} \"}}\" ws\n");
                return objectName;
            case "object":
                return "object";
            default:
                return "value";
        }
    }

    private static string Name(string kind, ref int counter) => $"{kind}{++counter}";

    /// <summary>A JSON value as a GBNF literal that matches exactly its JSON text.</summary>
    private static string Literal(JsonElement value) => Literal(value.GetRawText(), raw: true);

    private static string Literal(string name) => Literal(JsonSerializer.Serialize(name), raw: true);

    private static string Literal(string json, bool raw)
    {
        _ = raw;
        var escaped = json.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return $"\"{escaped}\" ws";
    }
}
