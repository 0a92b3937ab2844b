using System.Collections.Frozen;
using System.Text.Json;

namespace OrleansLlm.Inference.Grammars;

/// <summary>
/// Which JSON Schema keywords a <c>format</c> may use. A keyword that would change which values
/// are valid and that the grammar does not express is refused by name: a grammar that silently
/// allowed any value in its place would let the model answer what the schema forbids.
/// </summary>
internal static class SchemaKeywords
{
    /// <summary>Annotations and containers: they never change which values are valid.</summary>
    public static readonly FrozenSet<string> Ignored = FrozenSet.Create(StringComparer.Ordinal,
        "title", "description", "default", "examples", "example", "$schema", "$id", "$comment", "$anchor",
        "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "contentEncoding", "contentMediaType",
        // OpenAPI's hint for which oneOf/anyOf branch applies (Pydantic writes it); the branches still decide.
        "discriminator");

    public static readonly FrozenSet<string> ObjectKeywords = FrozenSet.Create(StringComparer.Ordinal, "properties", "required", "additionalProperties");

    public static readonly FrozenSet<string> ArrayKeywords = FrozenSet.Create(StringComparer.Ordinal, "items", "minItems", "maxItems", "uniqueItems");

    public static readonly FrozenSet<string> StringKeywords = FrozenSet.Create(StringComparer.Ordinal, "minLength", "maxLength", "pattern", "format");

    public static readonly FrozenSet<string> NumberKeywords = FrozenSet.Create(StringComparer.Ordinal, "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");

    /// <summary>Keywords the grammar expresses (some with limits checked where they are used).</summary>
    private static readonly FrozenSet<string> Supported = FrozenSet.Create(StringComparer.Ordinal,
        [.. ObjectKeywords, .. ArrayKeywords, .. StringKeywords, .. NumberKeywords, "type", "enum", "const", "anyOf", "oneOf", "allOf", "$ref"]);

    public static readonly FrozenSet<string> Types = FrozenSet.Create(StringComparer.Ordinal, "object", "array", "string", "number", "integer", "boolean", "null");

    /// <summary>The <c>format</c> values with a grammar; others are refused.</summary>
    public static readonly FrozenSet<string> Formats = FrozenSet.Create(StringComparer.Ordinal, "date", "time", "date-time", "uuid");

    /// <summary>Refuses the first keyword of <paramref name="schema"/> that is neither supported nor ignorable.</summary>
    public static void CheckSupported(JsonElement schema, string path)
    {
        foreach (var property in schema.EnumerateObject())
        {
            if (!Supported.Contains(property.Name) && !Ignored.Contains(property.Name))
                throw Unsupported(property.Name, path);
        }
    }

    /// <summary>The keywords of <paramref name="schema"/> that constrain values (not annotations).</summary>
    public static IEnumerable<string> Constraining(JsonElement schema) =>
        schema.EnumerateObject().Select(p => p.Name).Where(name => !Ignored.Contains(name));

    /// <summary>Refuses any constraining keyword beside <paramref name="keyword"/> other than <paramref name="allowed"/>.</summary>
    public static void CheckAlone(JsonElement schema, string keyword, string path, params string[] allowed)
    {
        var other = Constraining(schema).FirstOrDefault(name => name != keyword && !allowed.Contains(name));
        if (other is not null)
            throw Error($"keyword '{other}' beside '{keyword}' is not supported", path);
    }

    public static ArgumentException Unsupported(string keyword, string path) => Error($"keyword '{keyword}' is not supported", path);

    public static ArgumentException Error(string message, string path) => new($"format schema: {message} (at {path})");

    /// <summary>A keyword's value as a count (minItems, maxLength): a non-negative integer.</summary>
    public static int? Count(JsonElement schema, string keyword, string path)
    {
        if (!schema.TryGetProperty(keyword, out var value))
            return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var number) || number < 0 || number != decimal.Truncate(number))
            throw Error($"'{keyword}' must be a non-negative integer", path);
        if (number > GbnfRules.MaxExpansion)
            throw Error($"'{keyword}' of {number} is over the largest supported, {GbnfRules.MaxExpansion}", path);
        return (int)number;
    }

    /// <summary><paramref name="path"/> with a JSON-pointer step for <paramref name="name"/>.</summary>
    public static string Child(string path, string name) => $"{path}/{name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}";
}
