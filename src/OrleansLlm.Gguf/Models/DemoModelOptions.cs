namespace OrleansLlm.Gguf.Models;

/// <summary>Dimensions and content of a generated llama-architecture demo model.</summary>
public sealed record DemoModelOptions
{
    /// <summary>About 0.5 MiB in F32 (115 k parameters): loads in milliseconds, for tests.</summary>
    public static DemoModelOptions Tiny { get; } = new();

    /// <summary>About 24 M parameters (46 MiB in F16): the benchmark model.</summary>
    public static DemoModelOptions Small { get; } = new()
    {
        EmbeddingLength = 512, BlockCount = 8, HeadCount = 8, HeadCountKv = 4, FeedForwardLength = 1376,
        VocabSize = 1000, ContextLength = 1024,
    };

    /// <summary>About 88 M parameters (168 MiB in F16).</summary>
    public static DemoModelOptions Medium { get; } = new()
    {
        EmbeddingLength = 768, BlockCount = 12, HeadCount = 12, HeadCountKv = 4, FeedForwardLength = 2048,
        VocabSize = 8000, ContextLength = 2048,
    };

    public string Name { get; init; } = "demo";
    public int EmbeddingLength { get; init; } = 64;
    public int BlockCount { get; init; } = 2;
    public int HeadCount { get; init; } = 4;
    public int HeadCountKv { get; init; } = 2;
    public int FeedForwardLength { get; init; } = 128;
    public int VocabSize { get; init; } = 320;
    public int ContextLength { get; init; } = 256;

    /// <summary>Weight type of the matrices: F32 or F16 (norms are always F32, as llama.cpp expects).</summary>
    public GgmlType WeightType { get; init; } = GgmlType.F32;

    /// <summary>Seed of the random weights: the same seed writes the same bytes.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Weights are uniform in ±this.</summary>
    public float WeightScale { get; init; } = 0.05f;

    /// <summary>Share <c>token_embd</c> as the output matrix instead of writing <c>output.weight</c>.</summary>
    public bool TiedOutput { get; init; }

    public float RmsEpsilon { get; init; } = 1e-5f;
    public float RopeFreqBase { get; init; } = 10000f;
    public string? ChatTemplate { get; init; } = ChatTemplates.ChatMlTools;

    public int HeadDimension => EmbeddingLength / HeadCount;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible dimension.</summary>
    public void Validate()
    {
        if (WeightType is not (GgmlType.F32 or GgmlType.F16))
            throw new ArgumentException($"demo weights are F32 or F16, not {WeightType} (quantise the written file instead)");
        if (EmbeddingLength <= 0 || BlockCount <= 0 || HeadCount <= 0 || HeadCountKv <= 0 || FeedForwardLength <= 0 || ContextLength <= 0)
            throw new ArgumentException("demo model dimensions must all be positive");
        if (EmbeddingLength % HeadCount != 0 || HeadDimension % 2 != 0)
            throw new ArgumentException($"embedding length {EmbeddingLength} must split into {HeadCount} heads of an even size");
        if (HeadCount % HeadCountKv != 0)
            throw new ArgumentException($"head count {HeadCount} must be a multiple of the KV head count {HeadCountKv}");
        if (VocabSize < DemoVocabulary.MinimumSize)
            throw new ArgumentException($"vocabulary of {VocabSize} is too small: the demo needs at least {DemoVocabulary.MinimumSize} tokens");
    }
}
