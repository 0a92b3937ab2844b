namespace OrleansLlm.Templates.GoTemplates;

/// <summary>Ollama's <c>toTypeScriptType</c>: a tool property's JSON-schema type as a TypeScript type.</summary>
internal static class TypeScript
{
    public static string Of(object? property)
    {
        var anyOf = Member(property, "AnyOf", "anyOf");
        if (Values.Normalize(anyOf) is IReadOnlyList<object?> { Count: > 0 } alternatives)
            return string.Join(" | ", alternatives.Select(Of));
        var types = Values.Normalize(Member(property, "Type", "type")) switch
        {
            string one => [one],
            IReadOnlyList<object?> many => many.OfType<string>().ToArray(),
            _ => Array.Empty<string>(),
        };
        return types.Length == 0 ? "any" : string.Join(" | ", types.Select(Map));
    }

    private static object? Member(object? value, string field, string key) => Values.Normalize(value) switch
    {
        TemplateStruct s => s.TryGetField(field, out var v) ? v : null,
        IReadOnlyDictionary<string, object?> map => map.TryGetValue(key, out var v) ? v : null,
        _ => null,
    };

    private static string Map(string type) => type switch
    {
        "string" => "string",
        "number" or "integer" => "number",
        "boolean" => "boolean",
        "array" => "any[]",
        "object" => "Record<string, any>",
        "null" => "null",
        _ => "any",
    };
}
