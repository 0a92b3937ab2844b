using OrleansLlm.Gguf;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.ChurnBench.Workload;

/// <summary>The real model families and quantisations the workload draws its models from.</summary>
internal static class ModelShape
{
    private static readonly ShapedModelSpec Mistral7B = ShapedModelSpec.Llama3_8B_Q4_K_M with
    {
        Name = "mistral-7b", VocabSize = 32768, ContextLength = 32768, RopeFreqBase = 1000000f,
    };

    private static readonly ShapedModelSpec Phi3Mini = ShapedModelSpec.Llama3_8B_Q4_K_M with
    {
        Name = "phi3-mini", BlockCount = 32, EmbeddingLength = 3072, FeedForwardLength = 8192,
        HeadCount = 32, HeadCountKv = 32, VocabSize = 32064, ContextLength = 4096,
    };

    private static readonly ShapedModelSpec Gemma2_9B = ShapedModelSpec.Llama3_8B_Q4_K_M with
    {
        Name = "gemma2-9b", BlockCount = 42, EmbeddingLength = 3584, FeedForwardLength = 14336,
        HeadCount = 16, HeadCountKv = 8, VocabSize = 256000, ContextLength = 8192,
    };

    private static readonly ShapedModelSpec Qwen25_14B = ShapedModelSpec.Llama3_8B_Q4_K_M with
    {
        Name = "qwen2.5-14b", BlockCount = 48, EmbeddingLength = 5120, FeedForwardLength = 13824,
        HeadCount = 40, HeadCountKv = 8, VocabSize = 152064, ContextLength = 32768,
    };

    /// <summary>1B to 14B class in the quantisations people run on 24 GiB GPUs.</summary>
    public static IReadOnlyList<ShapedModelSpec> Default { get; } =
    [
        ShapedModelSpec.Llama3_2_1B_Q8_0,
        ShapedModelSpec.Llama3_2_3B_Q4_K_M,
        ShapedModelSpec.Llama3_2_3B_Q4_K_M with { Name = "llama3.2-3b-f16", FileType = GgufFileTypes.MostlyF16 },
        Phi3Mini with { Name = "phi3-mini-q4_k_m" },
        Phi3Mini with { Name = "phi3-mini-q8_0", FileType = GgufFileTypes.MostlyQ8_0 },
        Mistral7B with { Name = "mistral-7b-q4_k_m" },
        Mistral7B with { Name = "mistral-7b-q8_0", FileType = GgufFileTypes.MostlyQ8_0 },
        ShapedModelSpec.Llama3_8B_Q4_K_M,
        ShapedModelSpec.Llama3_8B_Q8_0,
        ShapedModelSpec.Llama3_8B_F16,
        Gemma2_9B with { Name = "gemma2-9b-q4_k_m" },
        Qwen25_14B with { Name = "qwen2.5-14b-q4_k_m" },
    ];

    /// <summary>70B class: more than one 24 GiB GPU holds.</summary>
    public static IReadOnlyList<ShapedModelSpec> Large { get; } = [ShapedModelSpec.Llama3_70B_Q4_K_M];
}
