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

    /// <summary><c>OLLM_LOAD_ORDER</c>: how waiting loads are served when room frees (see <see cref="Admission.WaitingLoadOrder"/>).</summary>
    public Admission.LoadOrder LoadOrder { get; init; } = Admission.LoadOrder.Demand;

    /// <summary><c>OLLM_STARVATION_BOUND</c>: a load that has waited this long goes before every load that has not.</summary>
    public TimeSpan StarvationBound { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// <c>OLLM_DRAIN_BUSY_AFTER</c>: a load at the head of the queue that has waited this long for
    /// memory only busy runners hold asks the cheapest of them to drain (see
    /// <see cref="Eviction.BusyDrain"/>); null = never, the seed's rule that a busy runner keeps its memory.
    /// </summary>
    public TimeSpan? DrainBusyAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>OLLM_MIN_RESIDENCY</c>: a runner loaded less than this long ago is never drained for another model.</summary>
    public TimeSpan MinResidency { get; init; } = TimeSpan.FromMinutes(2);

    public int EffectiveMaxLoadedModels(int gpuCount) => MaxLoadedModels > 0 ? MaxLoadedModels : 3 * Math.Max(1, gpuCount);
}
