using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Templates.Tools;

/// <summary>A model's answer split into text for the user and the tool calls it made.</summary>
public sealed record ToolCallOutput(string Content, IReadOnlyList<ToolCall> Calls);
