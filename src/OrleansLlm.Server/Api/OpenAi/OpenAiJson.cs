using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansLlm.Server.Api.Ollama;

namespace OrleansLlm.Server.Api.OpenAi;

/// <summary>How OpenAI's responses are written.</summary>
internal static class OpenAiJson
{
    /// <summary>Ollama's options, but with nulls written: OpenAI writes <c>"finish_reason": null</c> where Ollama leaves fields out.</summary>
    public static readonly JsonSerializerOptions Options = new(OllamaJson.Options)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
