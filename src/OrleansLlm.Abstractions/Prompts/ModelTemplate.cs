using OrleansLlm.Gguf.Files;
using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Abstractions.Prompts;

/// <summary>A model's chat template: the GGUF's Jinja, and the known Go template it matched, if any.</summary>
public sealed record ModelTemplate(string? Jinja, KnownTemplate? Known)
{
    /// <summary>Ollama's rule: a model supports tools when its template uses <c>.Tools</c>.</summary>
    public bool SupportsTools => Known?.Template.SupportsTools == true;

    /// <summary>
    /// The template of the model at <paramref name="path"/>, matched once per file version (matching
    /// is an edit-distance pass over every known Jinja, too much for every request).
    /// </summary>
    public static ModelTemplate Of(ModelFileCache files, string path)
    {
        ArgumentNullException.ThrowIfNull(files);
        return files.Derived(path, header => header.Architecture.ChatTemplate is { } jinja
            ? new ModelTemplate(jinja, KnownTemplates.Named(jinja))
            : new ModelTemplate(null, null));
    }
}
