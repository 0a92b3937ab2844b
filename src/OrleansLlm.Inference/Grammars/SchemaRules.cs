using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using static OrleansLlm.Inference.Grammars.SchemaKeywords;

namespace OrleansLlm.Inference.Grammars;

/// <summary>
/// Walks a JSON schema and writes a GBNF expression for each part of it into <see cref="GbnfRules"/>.
/// Every expression matches a JSON value followed by optional white space (<c>ws</c>), as the
/// primitives of <see cref="JsonSchemaGrammar"/> do. This file holds the dispatch, references,
/// combinators and enumerations; objects, arrays and strings are in the other parts.
/// </summary>
internal sealed partial class SchemaRules
{
    private static readonly JsonWriterOptions Canonical = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>
    /// Schemas (and the references between them) nest at most this deep: the walk recurses, and
    /// a chain of references in <c>$defs</c> is as long as the client makes it.
    /// </summary>
    private const int MaxDepth = 64;

    private readonly JsonElement _document;
    private int _depth;
    private readonly GbnfRules _rules;

    /// <summary>The rule of each referenced location (a JSON pointer), made on first use; the root's is <c>root</c>.</summary>
    private readonly Dictionary<string, string> _references = new(StringComparer.Ordinal) { [""] = "root" };

    private SchemaRules(JsonElement document, GbnfRules rules)
    {
        _document = document;
        _rules = rules;
    }

    /// <summary>The body of the <c>root</c> rule for <paramref name="document"/>, adding the rules it needs to <paramref name="rules"/>.</summary>
    public static string Root(JsonElement document, GbnfRules rules) =>
        new SchemaRules(document, rules).Expression(document, "#", [""]);

    /// <param name="leading">
    /// The references being expanded since the last character the grammar must match: one of
    /// them again here would be left recursion, which llama.cpp cannot parse.
    /// </param>
    private string Expression(JsonElement schema, string path, ImmutableHashSet<string> leading)
    {
        if (++_depth > MaxDepth)
            throw Error($"schemas and references nest more than {MaxDepth} deep", path);
        try
        {
            return Walk(schema, path, leading);
        }
        finally
        {
            _depth--;
        }
    }

    private string Walk(JsonElement schema, string path, ImmutableHashSet<string> leading)
    {
        switch (schema.ValueKind)
        {
            case JsonValueKind.True:
                return "value";
            case JsonValueKind.False:
                throw Error("the schema 'false' allows no value", path);
            case JsonValueKind.Object:
                break;
            default:
                throw Error("a schema must be an object or a boolean", path);
        }
        CheckSupported(schema, path);
        if (schema.TryGetProperty("$ref", out var reference))
        {
            CheckAlone(schema, "$ref", path);
            return Reference(reference, path, leading);
        }
        foreach (var keyword in (string[])["anyOf", "oneOf", "allOf"])
        {
            if (schema.TryGetProperty(keyword, out var alternatives))
                return Combination(schema, keyword, alternatives, path, leading);
        }
        if (schema.TryGetProperty("enum", out _) || schema.TryGetProperty("const", out _))
            return Enumeration(schema, path);
        var types = Types(schema, path);
        if (types is null)
            return "value";
        var expressions = types.Select(type => TypeExpression(type, schema, path)).ToList();
        return expressions.Count == 1 ? expressions[0] : $"({string.Join(" | ", expressions)})";
    }

    /// <summary>One type's expression; inside an object or array a new value starts, so no reference is leading there.</summary>
    private string TypeExpression(string type, JsonElement schema, string path) => type switch
    {
        "object" => ObjectExpression(schema, path),
        "array" => ArrayExpression(schema, path),
        "string" => StringExpression(schema, path),
        "number" or "integer" => NumberExpression(type, schema, path),
        _ => type, // boolean, null: the primitives
    };

    /// <summary>
    /// The types a schema allows: its <c>type</c>, else those its type-specific keywords speak of
    /// (<c>{"properties": …}</c> means an object), else null for any value.
    /// </summary>
    private static List<string>? Types(JsonElement schema, string path)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            var implied = new List<string>();
            var keywords = Constraining(schema).ToList();
            if (keywords.Any(ObjectKeywords.Contains))
                implied.Add("object");
            if (keywords.Any(ArrayKeywords.Contains))
                implied.Add("array");
            if (keywords.Any(StringKeywords.Contains))
                implied.Add("string");
            if (keywords.Any(NumberKeywords.Contains))
                implied.Add("number");
            return implied.Count == 0 ? null : implied;
        }
        var names = type.ValueKind switch
        {
            JsonValueKind.String => [type.GetString()!],
            JsonValueKind.Array when type.GetArrayLength() > 0 && type.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String) =>
                type.EnumerateArray().Select(t => t.GetString()!).Distinct(StringComparer.Ordinal).ToList(),
            _ => throw Error("'type' must be a type name or a non-empty array of them", path),
        };
        var unknown = names.FirstOrDefault(name => !SchemaKeywords.Types.Contains(name));
        if (unknown is not null)
            throw Error($"'type' '{unknown}' is not a JSON Schema type", path);
        return names;
    }

    /// <summary><c>anyOf</c>/<c>oneOf</c> as alternatives (oneOf's "exactly one" is not checked: its branches are usually disjoint); <c>allOf</c> of one schema as that schema.</summary>
    private string Combination(JsonElement schema, string keyword, JsonElement alternatives, string path, ImmutableHashSet<string> leading)
    {
        CheckAlone(schema, keyword, path);
        var at = Child(path, keyword);
        if (alternatives.ValueKind != JsonValueKind.Array || alternatives.GetArrayLength() == 0)
            throw Error($"'{keyword}' must be a non-empty array of schemas", path);
        if (keyword == "allOf" && alternatives.GetArrayLength() > 1)
            throw Error("keyword 'allOf' with more than one schema is not supported", path);
        var parts = alternatives.EnumerateArray().Select((alternative, i) => Expression(alternative, $"{at}/{i}", leading)).Distinct().ToList();
        return parts.Count == 1 ? parts[0] : $"({string.Join(" | ", parts)})";
    }

    /// <summary>A local reference (<c>#</c>, <c>#/$defs/Name</c>, <c>#/definitions/Name</c>…) as the rule of the location it names.</summary>
    private string Reference(JsonElement reference, string path, ImmutableHashSet<string> leading)
    {
        var text = reference.ValueKind == JsonValueKind.String ? reference.GetString()! : throw Error("'$ref' must be a string", path);
        if (!text.StartsWith('#'))
            throw Error($"$ref '{text}' points outside this schema; only local references such as '#/$defs/Name' are supported", path);
        var pointer = Uri.UnescapeDataString(text[1..]);
        if (pointer.Length > 0 && !pointer.StartsWith('/'))
            throw Error($"$ref '{text}' names an anchor; only JSON-pointer references such as '#/$defs/Name' are supported", path);
        var target = Resolve(pointer) ?? throw Error($"$ref '{text}' does not resolve to anything in this schema", path);
        if (leading.Contains(pointer))
            throw Error($"$ref '{text}' refers back to itself before any value is written, which no grammar can express", path);
        if (_references.TryGetValue(pointer, out var name))
            return name;
        name = _rules.NewName("def-" + pointer.Split('/')[^1]);
        _references[pointer] = name;
        _rules.Define(name, Expression(target, "#" + text[1..], leading.Add(pointer)));
        return name;
    }

    private JsonElement? Resolve(string pointer)
    {
        var current = _document;
        foreach (var raw in pointer.Split('/').Skip(1))
        {
            var step = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(step, out var child))
                current = child;
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(step, out var index) && index >= 0 && index < current.GetArrayLength())
                current = current[index];
            else
                return null;
        }
        return current;
    }

    /// <summary><c>enum</c> and <c>const</c>: each allowed value as its compact JSON text, filtered by <c>type</c>.</summary>
    private static string Enumeration(JsonElement schema, string path)
    {
        var keyword = schema.TryGetProperty("enum", out var options) ? "enum" : "const";
        CheckAlone(schema, keyword, path, "type", "enum", "const");
        IEnumerable<JsonElement> values;
        if (keyword == "enum")
        {
            if (options.ValueKind != JsonValueKind.Array || options.GetArrayLength() == 0)
                throw Error("'enum' must be a non-empty array", path);
            values = options.EnumerateArray().ToList();
            if (schema.TryGetProperty("const", out var constant))
                values = values.Where(v => JsonElement.DeepEquals(v, constant));
        }
        else
        {
            values = [schema.GetProperty("const")];
        }
        var types = Types(schema, path);
        if (types is not null)
            values = values.Where(v => types.Any(t => HasType(v, t)));
        var literals = values.Select(v => GbnfText.Literal(CanonicalJson(v))).Distinct(StringComparer.Ordinal).ToList();
        if (literals.Count == 0)
            throw Error($"no value of '{keyword}' is allowed by the schema's other keywords", path);
        return literals.Count == 1 ? $"{literals[0]} ws" : $"({string.Join(" | ", literals)}) ws";
    }

    private static bool HasType(JsonElement value, string type) => (type, value.ValueKind) switch
    {
        ("object", JsonValueKind.Object) or ("array", JsonValueKind.Array) or ("string", JsonValueKind.String) => true,
        ("number", JsonValueKind.Number) or ("null", JsonValueKind.Null) => true,
        ("boolean", JsonValueKind.True or JsonValueKind.False) => true,
        ("integer", JsonValueKind.Number) => value.TryGetDecimal(out var d) ? d == decimal.Truncate(d) : value.GetDouble() == Math.Floor(value.GetDouble()),
        _ => false,
    };

    private static string CanonicalJson(JsonElement value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Canonical))
            value.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
