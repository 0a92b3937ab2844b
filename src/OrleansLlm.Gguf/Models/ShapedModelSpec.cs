namespace OrleansLlm.Gguf.Models;

/// <summary>
/// The shape of a real model — dimensions, vocabulary and merge counts, quantisation mix — from
/// which <see cref="ShapedModel"/> writes a file with the complete header and a sparse data
/// section: a "4.9 GB" Llama 3 8B that takes a few MiB of disk.
/// </summary>
public sealed record ShapedModelSpec
{
    public static ShapedModelSpec Llama3_8B_Q4_K_M { get; } = Llama3("llama3-8b", 32, 4096, 14336, 32, 8, 8192, GgufFileTypes.MostlyQ4_K_M);
    public static ShapedModelSpec Llama3_8B_Q8_0 { get; } = Llama3_8B_Q4_K_M with { Name = "llama3-8b-q8_0", FileType = GgufFileTypes.MostlyQ8_0 };
    public static ShapedModelSpec Llama3_8B_F16 { get; } = Llama3_8B_Q4_K_M with { Name = "llama3-8b-f16", FileType = GgufFileTypes.MostlyF16 };
    public static ShapedModelSpec Llama3_70B_Q4_K_M { get; } = Llama3("llama3-70b", 80, 8192, 28672, 64, 8, 8192, GgufFileTypes.MostlyQ4_K_M);
    public static ShapedModelSpec Llama3_2_1B_Q8_0 { get; } = Llama3("llama3.2-1b", 16, 2048, 8192, 32, 8, 131072, GgufFileTypes.MostlyQ8_0) with { TiedOutput = true };
    public static ShapedModelSpec Llama3_2_3B_Q4_K_M { get; } = Llama3("llama3.2-3b", 28, 3072, 8192, 24, 8, 131072, GgufFileTypes.MostlyQ4_K_M) with { TiedOutput = true };

    /// <summary>The presets, for benchmarks and capacity planning that want a realistic mix.</summary>
    public static IReadOnlyList<ShapedModelSpec> Presets { get; } =
        [Llama3_2_1B_Q8_0, Llama3_2_3B_Q4_K_M, Llama3_8B_Q4_K_M, Llama3_8B_Q8_0, Llama3_8B_F16, Llama3_70B_Q4_K_M];

    public required string Name { get; init; }
    public string Architecture { get; init; } = "llama";
    public required int BlockCount { get; init; }
    public required long EmbeddingLength { get; init; }
    public required long FeedForwardLength { get; init; }
    public required int HeadCount { get; init; }
    public required int HeadCountKv { get; init; }
    public required long ContextLength { get; init; }
    public required int VocabSize { get; init; }
    public int MergeCount { get; init; }

    /// <summary><c>llama_ftype</c>: F16, Q8_0, Q4_0 or Q4_K_M decide each tensor's type as llama.cpp's quantiser does.</summary>
    public required int FileType { get; init; }

    public bool TiedOutput { get; init; }
    public float RopeFreqBase { get; init; } = 500000f;
    public string TokenizerModel { get; init; } = "gpt2";
    public string? ChatTemplate { get; init; }

    private static ShapedModelSpec Llama3(string name, int blocks, long embd, long ff, int heads, int kvHeads, long ctx, int fileType) => new()
    {
        Name = name, BlockCount = blocks, EmbeddingLength = embd, FeedForwardLength = ff, HeadCount = heads,
        HeadCountKv = kvHeads, ContextLength = ctx, VocabSize = 128256, MergeCount = 280147, FileType = fileType,
        ChatTemplate = ChatTemplates.Llama3,
    };
}
