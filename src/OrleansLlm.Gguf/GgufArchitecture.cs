namespace OrleansLlm.Gguf;

/// <summary>
/// Typed accessors for the <c>&lt;arch&gt;.*</c> and tokenizer keys that memory estimation and the
/// API read. Each returns what the file says, or null when it says nothing; defaults are the
/// estimator's business.
/// </summary>
public sealed class GgufArchitecture(GgufMetadata metadata)
{
    /// <summary><c>general.architecture</c>, e.g. <c>llama</c>.</summary>
    public string? Name => metadata.GetString("general.architecture");

    public long? ContextLength => Integer("context_length");

    public long? EmbeddingLength => Integer("embedding_length");

    public long? BlockCount => Integer("block_count");

    public long? HeadCount => MaxOfScalarOrArray("attention.head_count");

    /// <summary>Largest KV head count over all layers (the key may be a scalar or a per-layer array).</summary>
    public long? HeadCountKv => MaxOfScalarOrArray("attention.head_count_kv");

    public long? KeyLength => Integer("attention.key_length");

    public long? ValueLength => Integer("attention.value_length");

    /// <summary>Largest feed-forward width over all layers (scalar or per-layer array).</summary>
    public long? FeedForwardLength => MaxOfScalarOrArray("feed_forward_length");

    public long? ExpertCount => Integer("expert_count");

    /// <summary>
    /// Vocabulary size: the length of <c>tokenizer.ggml.tokens</c> (known even when the array
    /// was not loaded), else <c>&lt;arch&gt;.vocab_size</c>.
    /// </summary>
    public long? VocabSize => metadata.GetArray("tokenizer.ggml.tokens")?.Count ?? Integer("vocab_size");

    /// <summary><c>general.file_type</c>: llama.cpp's <c>llama_ftype</c>.</summary>
    public long? FileType => metadata.GetInteger("general.file_type");

    /// <summary>Name of <see cref="FileType"/> as Ollama shows it (<c>Q4_K_M</c>), or null.</summary>
    public string? FileTypeName => FileType is { } t ? GgufFileTypes.Name(t) : null;

    public string? ChatTemplate => metadata.GetString("tokenizer.chat_template");

    /// <summary>KV head count of one layer: the per-layer array's entry, or the scalar.</summary>
    public long? HeadCountKvOfLayer(int layer) => OfLayer("attention.head_count_kv", layer);

    /// <summary>Head count of one layer: the per-layer array's entry, or the scalar.</summary>
    public long? HeadCountOfLayer(int layer) => OfLayer("attention.head_count", layer);

    private string? Prefix => Name is { } name ? name + "." : null;

    private long? Integer(string suffix) => Prefix is { } p ? metadata.GetInteger(p + suffix) : null;

    private long? MaxOfScalarOrArray(string suffix)
    {
        if (Prefix is not { } p || !metadata.TryGetValue(p + suffix, out var value))
            return null;
        if (value.TryGetInteger(out var scalar))
            return scalar;
        return value.Type == GgufValueType.Array && value.AsArray().TryGetIntegers(out var perLayer) && perLayer.Length > 0
            ? perLayer.Max()
            : null;
    }

    private long? OfLayer(string suffix, int layer)
    {
        if (Prefix is not { } p || !metadata.TryGetValue(p + suffix, out var value))
            return null;
        if (value.TryGetInteger(out var scalar))
            return scalar;
        return value.Type == GgufValueType.Array && value.AsArray().TryGetIntegers(out var perLayer) && layer >= 0 && layer < perLayer.Length
            ? perLayer[layer]
            : null;
    }
}
