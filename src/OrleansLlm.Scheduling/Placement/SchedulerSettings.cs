using OrleansLlm.Scheduling.Estimation;

namespace OrleansLlm.Scheduling.Placement;

/// <summary>Host-wide scheduling knobs, under their Ollama names.</summary>
public sealed record SchedulerSettings
{
    public static SchedulerSettings Default { get; } = new();

    /// <summary><c>OLLAMA_SCHED_SPREAD</c>: always spread over the whole library group.</summary>
    public bool Spread { get; init; }

    /// <summary><c>OLLAMA_MAX_LOADED_MODELS</c>; 0 = 3 × the number of GPUs (3 on CPU), as Ollama today.</summary>
    public int MaxLoadedModels { get; init; }

    public EstimatorSettings Estimator { get; init; } = EstimatorSettings.Default;

    public int EffectiveMaxLoadedModels(int gpuCount) => MaxLoadedModels > 0 ? MaxLoadedModels : 3 * Math.Max(1, gpuCount);
}
