using OrleansLlm.Templates.Json;
using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Server.Api.Ollama;

/// <summary>Tool calls as each API writes them.</summary>
internal static class ToolCallJson
{
    /// <summary>Ollama: <c>[{"function":{"index":0,"name":…,"arguments":{…}}}]</c>.</summary>
    public static object[]? Ollama(IReadOnlyList<ToolCall>? calls) =>
        calls is not { Count: > 0 } ? null
        : [.. calls.Select(c => new { function = new { index = c.Index, name = c.Name, arguments = c.Arguments } })];

    /// <summary>OpenAI: <c>[{"index":0,"id":"call_…","type":"function","function":{"name":…,"arguments":"{…}"}}]</c>, arguments as a JSON string.</summary>
    public static object[] OpenAi(IReadOnlyList<ToolCall> calls) =>
        [.. calls.Select(c => new
        {
            index = c.Index,
            id = "call_" + Guid.NewGuid().ToString("N")[..24],
            type = "function",
            function = new { name = c.Name, arguments = JsonValues.Serialize(c.Arguments) },
        })];
}
