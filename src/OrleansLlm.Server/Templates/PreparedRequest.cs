using OrleansLlm.Abstractions.Models;

namespace OrleansLlm.Server.Templates;

/// <summary>A request ready for the model, and the tool-call tag to parse its output with when tools were given.</summary>
internal sealed record PreparedRequest(GenerateRequest Request, string? ToolCallTag);
