namespace OrleansLlm.Gguf;

/// <summary>One entry of a GGUF tensor table: name, shape (innermost dimension first), type and data offset.</summary>
public sealed class GgufTensorInfo
{
    private readonly long[] _dimensions;

    public GgufTensorInfo(string name, ReadOnlySpan<long> dimensions, GgmlType type, long offset)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        _dimensions = dimensions.ToArray();
        Type = type;
        Offset = offset;
        long elements = 1;
        foreach (var d in _dimensions)
            elements = checked(elements * d);
        ElementCount = elements;
        ByteSize = GgmlTypeTraits.ByteSize(type, elements)
            ?? throw new OverflowException($"tensor '{name}' is larger than a 64-bit size");
    }

    public string Name { get; }

    /// <summary>Dimensions, innermost (row length) first, as ggml's ne[].</summary>
    public IReadOnlyList<long> Dimensions => _dimensions;

    public GgmlType Type { get; }

    /// <summary>Offset of the tensor's data, relative to the start of the data section.</summary>
    public long Offset { get; }

    public long ElementCount { get; }

    public long ByteSize { get; }

    /// <summary>
    /// The layer this tensor belongs to, as Ollama groups them: <c>blk.N</c> for repeating
    /// layers, otherwise the first dotted component (<c>token_embd</c>, <c>output_norm</c>, <c>output</c>).
    /// </summary>
    public string LayerName
    {
        get
        {
            var firstDot = Name.IndexOf('.', StringComparison.Ordinal);
            if (firstDot < 0)
                return Name;
            if (Name.StartsWith("blk.", StringComparison.Ordinal))
            {
                var secondDot = Name.IndexOf('.', firstDot + 1);
                return secondDot < 0 ? Name : Name[..secondDot];
            }
            return Name[..firstDot];
        }
    }

    public override string ToString() => $"{Name} {Type} [{string.Join(", ", _dimensions)}] @{Offset}";
}
