namespace OrleansLlm.Gguf;

/// <summary>What a GGUF file's header says: version, metadata, tensor table and where the data lies.</summary>
public sealed class GgufFile
{
    private IReadOnlyDictionary<string, long>? _layerSizes;

    internal GgufFile(int version, int alignment, GgufMetadata metadata, IReadOnlyList<GgufTensorInfo> tensors, long dataOffset, long fileLength)
    {
        Version = version;
        Alignment = alignment;
        Metadata = metadata;
        Tensors = tensors;
        DataOffset = dataOffset;
        FileLength = fileLength;
        Architecture = new GgufArchitecture(metadata);
    }

    /// <summary>Format version: 2 or 3.</summary>
    public int Version { get; }

    /// <summary>Alignment of the data section and of every tensor in it (<c>general.alignment</c>, default 32).</summary>
    public int Alignment { get; }

    public GgufMetadata Metadata { get; }

    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Absolute offset where the data section starts (the end of the header, aligned).</summary>
    public long DataOffset { get; }

    public long FileLength { get; }

    /// <summary>Typed access to the architecture keys the estimator needs.</summary>
    public GgufArchitecture Architecture { get; }

    /// <summary>Sum of all tensors' element counts (Ollama's computed <c>general.parameter_count</c>).</summary>
    public long ParameterCount => Tensors.Sum(t => t.ElementCount);

    /// <summary>Sum of all tensors' byte sizes.</summary>
    public long TensorBytes => Tensors.Sum(t => t.ByteSize);

    /// <summary>Bytes per layer (<see cref="GgufTensorInfo.LayerName"/>): <c>blk.0</c> … <c>blk.N</c>, <c>token_embd</c>, <c>output</c>, ….</summary>
    public IReadOnlyDictionary<string, long> LayerSizes => _layerSizes ??= ComputeLayerSizes();

    /// <summary>Bytes of repeating layer <c>blk.<paramref name="index"/></c>, or 0 when it has no tensors.</summary>
    public long RepeatingLayerSize(int index) =>
        LayerSizes.TryGetValue(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"blk.{index}"), out var size) ? size : 0;

    public GgufTensorInfo? FindTensor(string name) => Tensors.FirstOrDefault(t => t.Name == name);

    private Dictionary<string, long> ComputeLayerSizes()
    {
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var tensor in Tensors)
        {
            var layer = tensor.LayerName;
            sizes[layer] = sizes.GetValueOrDefault(layer) + tensor.ByteSize;
        }
        return sizes;
    }
}
