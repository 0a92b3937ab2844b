namespace OrleansLlm.Templates.Ollama;

/// <summary>One chat message as a template sees it (Ollama's <c>api.Message</c>).</summary>
public sealed record TemplateMessage(string Role, string Content)
{
    public string Thinking { get; init; } = "";

    public IReadOnlyList<ToolCall> ToolCalls { get; init; } = [];

    /// <summary>For <c>tool</c> messages: which tool answered.</summary>
    public string ToolName { get; init; } = "";

    public string ToolCallId { get; init; } = "";
}
