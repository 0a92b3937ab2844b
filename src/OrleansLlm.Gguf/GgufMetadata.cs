using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace OrleansLlm.Gguf;

/// <summary>The key/value metadata of a GGUF file, in file order, looked up by key.</summary>
public sealed class GgufMetadata : IReadOnlyDictionary<string, GgufValue>
{
    private readonly List<KeyValuePair<string, GgufValue>> _entries;
    private readonly Dictionary<string, GgufValue> _byKey;

    internal GgufMetadata(int capacity)
    {
        _entries = new List<KeyValuePair<string, GgufValue>>(capacity);
        _byKey = new Dictionary<string, GgufValue>(capacity, StringComparer.Ordinal);
    }

    public int Count => _entries.Count;

    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    public IEnumerable<GgufValue> Values => _entries.Select(e => e.Value);

    public GgufValue this[string key] => _byKey[key];

    public bool ContainsKey(string key) => _byKey.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out GgufValue value) => _byKey.TryGetValue(key, out value);

    /// <summary>The string at <paramref name="key"/>, or null when absent or not a string.</summary>
    public string? GetString(string key) =>
        _byKey.TryGetValue(key, out var v) && v.Type == GgufValueType.String ? v.AsString() : null;

    /// <summary>The integer at <paramref name="key"/> whatever its integer type, or null.</summary>
    public long? GetInteger(string key) =>
        _byKey.TryGetValue(key, out var v) && v.TryGetInteger(out var n) ? n : null;

    /// <summary>The number at <paramref name="key"/> as a double, or null.</summary>
    public double? GetDouble(string key) =>
        _byKey.TryGetValue(key, out var v) && v.TryGetDouble(out var d) ? d : null;

    /// <summary>The array at <paramref name="key"/> (loaded or not), or null.</summary>
    public GgufArray? GetArray(string key) =>
        _byKey.TryGetValue(key, out var v) && v.Type == GgufValueType.Array ? v.AsArray() : null;

    public IEnumerator<KeyValuePair<string, GgufValue>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Adds an entry; false when the key is already present.</summary>
    internal bool TryAdd(string key, GgufValue value)
    {
        if (!_byKey.TryAdd(key, value))
            return false;
        _entries.Add(new(key, value));
        return true;
    }
}
