using System.Collections.Concurrent;
using OrleansLlm.Gguf;
using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Server.Templates;

/// <summary>
/// Each model's template, read from its GGUF header and matched to a known Go template once per
/// file version (path, size and modification time): matching costs an edit-distance pass over
/// every known Jinja, too much for every request.
/// </summary>
internal sealed class ModelTemplates
{
    private readonly ConcurrentDictionary<string, (DateTime Modified, long Length, ModelTemplate Template)> _cache = new(StringComparer.Ordinal);

    /// <summary>The template of the model at <paramref name="path"/>; a <see cref="GgufFormatException"/> or <see cref="IOException"/> for an unreadable file.</summary>
    public ModelTemplate For(string path)
    {
        var file = new FileInfo(path);
        if (_cache.TryGetValue(path, out var cached) && cached.Modified == file.LastWriteTimeUtc && cached.Length == file.Length)
            return cached.Template;
        var jinja = GgufReader.ReadFile(path).Architecture.ChatTemplate;
        var template = new ModelTemplate(jinja, jinja is null ? null : KnownTemplates.Named(jinja));
        _cache[path] = (file.LastWriteTimeUtc, file.Length, template);
        return template;
    }
}
