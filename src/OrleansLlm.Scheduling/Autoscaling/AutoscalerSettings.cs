namespace OrleansLlm.Scheduling.Autoscaling;

/// <summary>The autoscaler's bounds and delays (README "Autoscaling" lists their variables and defaults).</summary>
public sealed record AutoscalerSettings
{
    public static AutoscalerSettings Default { get; } = new();

    /// <summary>Hosts never stopped below this many (the CPU silo that runs the autoscaler is not counted).</summary>
    public int MinHosts { get; init; }

    public int MaxHosts { get; init; } = 8;

    /// <summary>Hosts starting at once, at most: a burst must not start the whole pool before the first one tells us what fits.</summary>
    public int MaxConcurrentStarts { get; init; } = 2;

    /// <summary>Most hosts of a type running at once (its GPU quota); a type not named is bounded by its pool only.</summary>
    public IReadOnlyDictionary<string, int> MaxHostsPerType { get; init; } = new Dictionary<string, int>();

    /// <summary>A host idle this long may be drained and stopped.</summary>
    public TimeSpan ScaleInDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The last GPU host goes only after this long idle: the next request after zero waits a whole host start.</summary>
    public TimeSpan IdleToZeroDelay { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>A host is never stopped sooner after it started (twice a cold start or more: no flip-flop).</summary>
    public TimeSpan MinHostLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A host not ready this long after its start is given up: stopped, and its type backed off.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A load waiting for room longer than this counts as demand no running host meets.</summary>
    public TimeSpan WaitBudget { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The first back-off of a type after a failed start, doubled per failure up to <see cref="MaxBackoff"/>, jittered.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(15);
}
