using System.Text.Json;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Server.Api;

/// <summary>
/// A request as both APIs read it, once: the model's name, the request for the model, and for
/// chats the messages and tools in full (tool calls and results included), which the prompt
/// preparation takes as they are.
/// </summary>
internal sealed record ApiRequest(string Model, GenerateRequest Request)
{
    public IReadOnlyList<TemplateMessage> Messages { get; init; } = [];

    public IReadOnlyList<JsonElement> Tools { get; init; } = [];

    /// <summary>Ollama streams unless told not to; OpenAI streams only when asked.</summary>
    public bool Stream { get; init; }
}
