using OrleansLlm.Abstractions.Models;

namespace OrleansLlm.Abstractions.Prompts;

/// <summary>A request ready for the model, and the tool-call tag to parse its output with when tools were given.</summary>
public sealed record PreparedRequest(GenerateRequest Request, string? ToolCallTag);
