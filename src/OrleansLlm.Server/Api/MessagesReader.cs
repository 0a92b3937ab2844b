using System.Text.Json;
using OrleansLlm.Server.Api.Ollama;
using OrleansLlm.Templates.Json;
using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Server.Api;

/// <summary>
/// The one reader of chat messages and tools, for both APIs, into what templates and runners need, read from Ollama's and OpenAI's request shapes:
/// assistant <c>tool_calls</c> (arguments an object, or OpenAI's JSON string) and <c>tool</c>
/// results (Ollama's <c>tool_name</c>, OpenAI's <c>tool_call_id</c>). Wrong shapes are 400s naming the field.
/// </summary>
internal static class MessagesReader
{
    public static IReadOnlyList<JsonElement> Tools(JsonElement body)
    {
        if (OllamaJson.Element(body, "tools") is not { } tools)
            return [];
        if (tools.ValueKind != JsonValueKind.Array)
            throw new BadRequestException("\"tools\" must be an array");
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object || OllamaJson.Element(tool, "function") is not { ValueKind: JsonValueKind.Object } function
                || OllamaJson.String(function, "name") is not { Length: > 0 })
                throw new BadRequestException("each tool must be {\"type\":\"function\",\"function\":{\"name\":…,\"parameters\":…}}");
        }
        return [.. tools.EnumerateArray().Select(t => t.Clone())];
    }

    public static IReadOnlyList<TemplateMessage> Messages(JsonElement body, bool openAi)
    {
        if (OllamaJson.Element(body, "messages") is not { } list || list.ValueKind == JsonValueKind.Null)
            return [];
        if (list.ValueKind != JsonValueKind.Array)
            throw new BadRequestException("\"messages\" must be an array", "messages");
        var messages = new List<TemplateMessage>();
        foreach (var message in list.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
                throw new BadRequestException("each message must be an object with role and content", "messages");
            if (OllamaJson.Element(message, "images") is { ValueKind: JsonValueKind.Array } images && images.GetArrayLength() > 0)
                throw new BadRequestException("this model does not support images: it has no vision projector");
            var role = OllamaJson.String(message, "role") ?? "user";
            var calls = ToolCalls(message);
            var callId = OllamaJson.String(message, "tool_call_id") ?? "";
            var toolName = OllamaJson.String(message, "tool_name") ?? OllamaJson.String(message, "name")
                ?? (callId.Length > 0 ? messages.SelectMany(m => m.ToolCalls).LastOrDefault(c => c.Id == callId)?.Name : null) ?? "";
            messages.Add(new TemplateMessage(role, Content(message, openAi)) { ToolCalls = calls, ToolName = toolName, ToolCallId = callId });
        }
        return messages;
    }

    private static string Content(JsonElement message, bool openAi) => OllamaJson.Element(message, "content") switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString()!,
        { ValueKind: JsonValueKind.Array } parts when openAi =>
            string.Concat(parts.EnumerateArray().Where(p => OllamaJson.String(p, "type") == "text").Select(p => OllamaJson.String(p, "text"))),
        null => "",
        _ => throw new BadRequestException("message content must be a string"),
    };

    private static IReadOnlyList<ToolCall> ToolCalls(JsonElement message)
    {
        if (OllamaJson.Element(message, "tool_calls") is not { } calls)
            return [];
        if (calls.ValueKind != JsonValueKind.Array)
            throw new BadRequestException("\"tool_calls\" must be an array");
        var result = new List<ToolCall>();
        foreach (var call in calls.EnumerateArray())
        {
            if (OllamaJson.Element(call, "function") is not { ValueKind: JsonValueKind.Object } function || OllamaJson.String(function, "name") is not { Length: > 0 } name)
                throw new BadRequestException("each tool call must be {\"function\":{\"name\":…,\"arguments\":{…}}}");
            result.Add(new ToolCall(name, Arguments(OllamaJson.Element(function, "arguments"))) { Index = result.Count, Id = OllamaJson.String(call, "id") });
        }
        return result;
    }

    private static IReadOnlyDictionary<string, object?> Arguments(JsonElement? arguments)
    {
        switch (arguments)
        {
            case null:
                return new Dictionary<string, object?>();
            case { ValueKind: JsonValueKind.Object } json:
                return (Dictionary<string, object?>)JsonValues.From(json)!;
            case { ValueKind: JsonValueKind.String } text:
                try
                {
                    using var parsed = JsonDocument.Parse(text.GetString()!);
                    if (JsonValues.From(parsed.RootElement) is Dictionary<string, object?> map)
                        return map;
                }
                catch (JsonException)
                {
                }
                throw new BadRequestException("tool call arguments must be a JSON object");
            default:
                throw new BadRequestException("tool call arguments must be a JSON object");
        }
    }
}
