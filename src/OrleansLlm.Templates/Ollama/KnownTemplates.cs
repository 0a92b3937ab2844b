using System.Reflection;
using System.Text.Json;

namespace OrleansLlm.Templates.Ollama;

/// <summary>
/// The Go templates this library ships (Ollama's chatml, llama3-instruct, mistral-instruct,
/// gemma-instruct, phi-3 and zephyr, and the tool-aware chatml-tools and llama3.1-tools), and
/// Ollama's <c>Named</c>: a GGUF's Jinja <c>tokenizer.chat_template</c> matched to the nearest
/// Jinja in Ollama's index.json by edit distance, accepted under 100. Our index is Ollama's with
/// two changes: Llama 3.1's tool-aware Jinja names llama3.1-tools (Ollama's index maps it to
/// llama3-instruct, which has no tools, while its library's llama3.1 has them), and Qwen 2.5's and
/// our demo model's Hermes-style Jinja name chatml-tools.
/// </summary>
public static class KnownTemplates
{
    /// <summary>Ollama's threshold: a nearer match than this many edits is the same template.</summary>
    public const int MatchDistance = 100;

    private static readonly Lazy<(IReadOnlyDictionary<string, KnownTemplate> ByName, IReadOnlyList<(string Jinja, string Name)> Index)> Loaded = new(Load);

    public static IEnumerable<KnownTemplate> All => Loaded.Value.ByName.Values;

    /// <summary>The shipped template called <paramref name="name"/>, or null.</summary>
    public static KnownTemplate? Get(string name) => Loaded.Value.ByName.GetValueOrDefault(name);

    /// <summary>
    /// The shipped template whose Jinja source is nearest to <paramref name="jinja"/>, or null when
    /// none is within <see cref="MatchDistance"/> edits or the nearest is one this library does not ship.
    /// </summary>
    public static KnownTemplate? Named(string jinja)
    {
        ArgumentNullException.ThrowIfNull(jinja);
        string? best = null;
        var score = MatchDistance;
        foreach (var (source, name) in Loaded.Value.Index)
        {
            var distance = Levenshtein.Distance(jinja, source, score);
            if (distance < score)
            {
                score = distance;
                best = name;
            }
        }
        return best is null ? null : Get(best);
    }

    private static (IReadOnlyDictionary<string, KnownTemplate>, IReadOnlyList<(string, string)>) Load()
    {
        var assembly = typeof(KnownTemplates).Assembly;
        const string prefix = "OrleansLlm.Templates.Known.";
        var byName = new Dictionary<string, KnownTemplate>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".gotmpl", StringComparison.Ordinal)))
        {
            var name = resource[prefix.Length..^".gotmpl".Length];
            var source = Read(assembly, resource)!.Replace("\r\n", "\n", StringComparison.Ordinal);
            var stop = Read(assembly, prefix + name + ".json") is { } parameters
                && JsonDocument.Parse(parameters).RootElement.TryGetProperty("stop", out var list)
                ? list.EnumerateArray().Select(e => e.GetString() ?? "").ToArray()
                : [];
            byName[name] = new KnownTemplate(name, source, stop);
        }
        using var index = JsonDocument.Parse(Read(assembly, prefix + "index.json")!);
        var entries = index.RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("template").GetString()!, e.GetProperty("name").GetString()!))
            .ToList();
        return (byName, entries);
    }

    private static string? Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource);
        if (stream is null)
            return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
