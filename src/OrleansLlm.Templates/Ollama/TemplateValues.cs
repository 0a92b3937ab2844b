using System.Text.Json;

namespace OrleansLlm.Templates.Ollama;

/// <summary>What a prompt is rendered from: Ollama's <c>template.Values</c>.</summary>
public sealed record TemplateValues
{
    public IReadOnlyList<TemplateMessage> Messages { get; init; } = [];

    /// <summary>Tools as clients send them: <c>{"type":"function","function":{"name","description","parameters"}}</c>.</summary>
    public IReadOnlyList<JsonElement> Tools { get; init; } = [];

    /// <summary>With <see cref="Suffix"/>: a fill-in-the-middle prompt, rendered without messages.</summary>
    public string Prompt { get; init; } = "";

    public string Suffix { get; init; } = "";

    public bool Think { get; init; }
}
