namespace OrleansLlm.Templates.Ollama;

/// <summary>
/// A function call, in a model's output or in an assistant message of the conversation: Ollama's
/// <c>api.ToolCall</c>. <see cref="Arguments"/> holds JSON values as <see cref="Json.JsonValues"/> reads them.
/// </summary>
public sealed record ToolCall(string Name, IReadOnlyDictionary<string, object?> Arguments)
{
    /// <summary>The call's place among the calls of one message.</summary>
    public int Index { get; init; }

    /// <summary>OpenAI's <c>tool_call_id</c>, when the client gave one.</summary>
    public string? Id { get; init; }
}
