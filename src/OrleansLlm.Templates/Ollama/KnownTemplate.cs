namespace OrleansLlm.Templates.Ollama;

/// <summary>A named template shipped with the library, with the stop strings Ollama pairs with it.</summary>
public sealed class KnownTemplate
{
    private readonly Lazy<OllamaTemplate> _template;

    internal KnownTemplate(string name, string source, IReadOnlyList<string> stop)
    {
        Name = name;
        Source = source;
        Stop = stop;
        _template = new Lazy<OllamaTemplate>(() => OllamaTemplate.Parse(source));
    }

    public string Name { get; }

    /// <summary>The Go template text.</summary>
    public string Source { get; }

    public IReadOnlyList<string> Stop { get; }

    public OllamaTemplate Template => _template.Value;
}
