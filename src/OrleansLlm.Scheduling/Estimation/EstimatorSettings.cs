namespace OrleansLlm.Scheduling.Estimation;

/// <summary>Server-wide inputs of the estimate.</summary>
public sealed record EstimatorSettings
{
    public static EstimatorSettings Default { get; } = new();

    /// <summary>
    /// <c>OLLAMA_GPU_OVERHEAD</c>: bytes kept free on every GPU. As Ollama does, it enters the
    /// "is this GPU usable" and "does one more layer fit" tests, not the allocations.
    /// </summary>
    public long GpuOverhead { get; init; }
}
