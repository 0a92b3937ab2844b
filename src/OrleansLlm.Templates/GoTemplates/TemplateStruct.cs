namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// A Go struct as templates see it: named fields (a missing field is an error, as in Go), printed
/// as <c>{v1 v2}</c> unless it has a <c>String()</c> — which Ollama gives its tool types, so that
/// <c>{{ . }}</c> on a tool prints its JSON.
/// </summary>
public sealed class TemplateStruct
{
    private readonly Dictionary<string, object?> _byName;

    /// <param name="typeName">The Go type name errors show (<c>*template.templateMessage</c>).</param>
    /// <param name="fields">The fields in declaration order.</param>
    /// <param name="stringer">What <c>String()</c> returns, when the type has one.</param>
    /// <param name="json">What <c>json</c> encodes instead of the fields (Go's json tags), when set.</param>
    public TemplateStruct(string typeName, IReadOnlyList<KeyValuePair<string, object?>> fields, Func<string>? stringer = null, object? json = null)
    {
        TypeName = typeName;
        Fields = fields;
        Stringer = stringer;
        Json = json;
        _byName = fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
    }

    public string TypeName { get; }

    public IReadOnlyList<KeyValuePair<string, object?>> Fields { get; }

    public Func<string>? Stringer { get; }

    public object? Json { get; }

    public bool TryGetField(string name, out object? value) => _byName.TryGetValue(name, out value);
}
