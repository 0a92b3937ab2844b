using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Server.Templates;

/// <summary>A model's chat template: the GGUF's Jinja, and the known Go template it matched, if any.</summary>
internal sealed record ModelTemplate(string? Jinja, KnownTemplate? Known)
{
    /// <summary>Ollama's rule: a model supports tools when its template uses <c>.Tools</c>.</summary>
    public bool SupportsTools => Known?.Template.SupportsTools == true;
}
