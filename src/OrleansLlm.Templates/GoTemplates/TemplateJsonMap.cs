using System.Collections;

namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// A map that prints as its JSON (<c>{"city":"Paris"}</c>) instead of Go's <c>map[city:Paris]</c>:
/// Ollama's <c>templateArgs</c> and <c>templateProperties</c>, whose <c>String()</c> marshals them.
/// Ranging, indexing and fields work as on any map.
/// </summary>
public sealed class TemplateJsonMap(IReadOnlyDictionary<string, object?> entries) : IReadOnlyDictionary<string, object?>
{
    public object? this[string key] => entries[key];

    public IEnumerable<string> Keys => entries.Keys;

    public IEnumerable<object?> Values => entries.Values;

    public int Count => entries.Count;

    public bool ContainsKey(string key) => entries.ContainsKey(key);

    public bool TryGetValue(string key, out object? value) => entries.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
