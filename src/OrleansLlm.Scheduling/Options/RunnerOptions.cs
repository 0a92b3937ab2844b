namespace OrleansLlm.Scheduling.Options;

/// <summary>
/// The options that decide how a runner is loaded. Two requests with equal runner options can
/// share one loaded runner; sampling options never matter for that.
/// </summary>
public sealed record RunnerOptions
{
    /// <summary>Ollama's default request context.</summary>
    public const int DefaultContextLength = 2048;

    public static RunnerOptions Default { get; } = new();

    /// <summary>Context length; after admission it is the per-sequence length × parallel.</summary>
    public int NumCtx { get; init; } = DefaultContextLength;

    public int NumBatch { get; init; } = 512;

    /// <summary>Layers to offload; negative = as many as fit, 0 = CPU only.</summary>
    public int NumGpu { get; init; } = -1;

    public int MainGpu { get; init; }

    /// <summary>Memory-map the weights; null = the runner decides.</summary>
    public bool? UseMmap { get; init; }

    public bool UseMlock { get; init; }

    /// <summary>Threads; 0 = the runner decides.</summary>
    public int NumThread { get; init; }

    public KvCacheType KvCacheType { get; init; } = KvCacheType.F16;

    /// <summary>Flash attention; null = automatic.</summary>
    public bool? FlashAttention { get; init; }

    /// <summary>
    /// The KV cache type llama.cpp will really use: quantised V caches need flash attention,
    /// so without it the cache stays F16 (Ollama does the same).
    /// </summary>
    public KvCacheType EffectiveKvCacheType => FlashAttention == true ? KvCacheType : KvCacheType.F16;
}
