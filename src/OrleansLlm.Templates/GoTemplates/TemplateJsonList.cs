using System.Collections;

namespace OrleansLlm.Templates.GoTemplates;

/// <summary>A slice that prints as its JSON array: Ollama's <c>templateTools</c>, so <c>{{ .Tools }}</c> prints JSON.</summary>
public sealed class TemplateJsonList(IReadOnlyList<object?> items) : IReadOnlyList<object?>
{
    public object? this[int index] => items[index];

    public int Count => items.Count;

    public IEnumerator<object?> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
