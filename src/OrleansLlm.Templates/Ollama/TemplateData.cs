using System.Text.Json;
using OrleansLlm.Templates.GoTemplates;
using OrleansLlm.Templates.Json;

namespace OrleansLlm.Templates.Ollama;

/// <summary>
/// Messages and tools in the shapes Ollama hands its templates (template.go's
/// <c>templateMessage</c>, <c>templateTool</c>, <c>templateArgs</c>, <c>templateProperties</c>):
/// the same field names, and the same JSON printing where Ollama's types have a <c>String()</c>.
/// </summary>
internal static class TemplateData
{
    public static IReadOnlyList<object?> Messages(IEnumerable<TemplateMessage> messages) =>
        [.. messages.Select(m => new TemplateStruct("*template.templateMessage",
        [
            new("Role", m.Role),
            new("Content", m.Content),
            new("Thinking", m.Thinking),
            // Nil slices, as Go leaves them, so that json prints null.
            new("Images", null),
            new("ToolCalls", m.ToolCalls.Count == 0 ? null : m.ToolCalls.Select(ToolCall).ToList<object?>()),
            new("ToolName", m.ToolName),
            new("ToolCallID", m.ToolCallId),
        ]))];

    public static TemplateJsonList? Tools(IReadOnlyList<JsonElement> tools) =>
        tools.Count == 0 ? null : new TemplateJsonList([.. tools.Select(Tool)]);

    private static object ToolCall(ToolCall call)
    {
        var function = new TemplateStruct("template.templateToolCallFunction",
        [
            new("Index", (long)call.Index),
            new("Name", call.Name),
            new("Arguments", new TemplateJsonMap(call.Arguments)),
        ]);
        return new TemplateStruct("template.templateToolCall", [new("ID", call.Id ?? ""), new("Function", function)]);
    }

    private static TemplateStruct Tool(JsonElement tool)
    {
        var function = Member(tool, "function");
        var parameters = Member(function, "parameters");
        var properties = Properties(Member(parameters, "properties"));
        var required = Member(parameters, "required") is { ValueKind: JsonValueKind.Array } r ? r.EnumerateArray().Select(e => (object?)e.GetString()).ToList() : null;
        var parametersStruct = new TemplateStruct("template.templateToolFunctionParameters",
        [
            new("Type", Text(parameters, "type")),
            new("Defs", Value(parameters, "$defs")),
            new("Items", Value(parameters, "items")),
            new("Required", required),
            new("Properties", properties),
        ], json: Ordered(("type", Text(parameters, "type"), false), ("$defs", Value(parameters, "$defs"), true),
            ("items", Value(parameters, "items"), true), ("required", required, true), ("properties", properties, false)));
        var functionStruct = new TemplateStruct("template.templateToolFunction",
        [
            new("Name", Text(function, "name")),
            new("Description", Text(function, "description")),
            new("Parameters", parametersStruct),
        ], json: Ordered(("name", Text(function, "name"), false), ("description", Text(function, "description"), false), ("parameters", parametersStruct, false)));
        var json = Ordered(("type", Text(tool, "type"), false), ("items", Value(tool, "items"), true), ("function", functionStruct, false));
        var toolStruct = new TemplateStruct("template.templateTool",
            [new("Type", Text(tool, "type")), new("Items", Value(tool, "items")), new("Function", functionStruct)],
            stringer: () => GoJsonOf(json), json: json);
        return toolStruct;
    }

    private static TemplateJsonMap? Properties(JsonElement? properties) =>
        properties is { ValueKind: JsonValueKind.Object } p
            ? new TemplateJsonMap(p.EnumerateObject().GroupBy(e => e.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (object?)Property(g.Last().Value), StringComparer.Ordinal))
            : null;

    /// <summary>api.ToolProperty: anyOf, type (a string or a list), items, description, enum, properties, required.</summary>
    private static TemplateStruct Property(JsonElement property)
    {
        var anyOf = Member(property, "anyOf") is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray().Select(e => (object?)Property(e)).ToList() : null;
        var type = Member(property, "type") switch
        {
            { ValueKind: JsonValueKind.String } one => new List<object?> { one.GetString() },
            { ValueKind: JsonValueKind.Array } many => many.EnumerateArray().Select(e => (object?)e.GetString()).ToList(),
            _ => null,
        };
        var description = Text(property, "description");
        var enumeration = Value(property, "enum");
        var properties = Properties(Member(property, "properties"));
        var required = Value(property, "required");
        object? typeJson = type is [var single] ? single : type;
        return new TemplateStruct("api.ToolProperty",
        [
            new("AnyOf", anyOf), new("Type", type), new("Items", Value(property, "items")), new("Description", description),
            new("Enum", enumeration), new("Properties", properties), new("Required", required),
        ], json: Ordered(("anyOf", anyOf, true), ("type", typeJson, true), ("items", Value(property, "items"), true),
            ("description", description, true), ("enum", enumeration, true), ("properties", properties, true), ("required", required, true)));
    }

    /// <summary>A JSON object with Go's field order; <c>omitempty</c> fields are left out when empty.</summary>
    private static TemplateStruct Ordered(params (string Name, object? Value, bool OmitEmpty)[] fields) =>
        new("json", [.. fields.Where(f => !f.OmitEmpty || !IsEmpty(f.Value)).Select(f => new KeyValuePair<string, object?>(f.Name, f.Value))]);

    private static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string s => s.Length == 0,
        System.Collections.ICollection c => c.Count == 0,
        IReadOnlyCollection<object?> c => c.Count == 0,
        IReadOnlyCollection<KeyValuePair<string, object?>> c => c.Count == 0,
        _ => false,
    };

    private static string GoJsonOf(object value) => GoJson.Marshal(value);

    private static JsonElement? Member(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string Text(JsonElement? element, string name) => Member(element, name) is { ValueKind: JsonValueKind.String } s ? s.GetString()! : "";

    private static object? Value(JsonElement? element, string name) => Member(element, name) is { } value ? JsonValues.From(value) : null;
}
