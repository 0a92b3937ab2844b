namespace OrleansLlm.Grains.Autoscaling;

/// <summary>
/// What the autoscaler must not forget when its silo restarts: the hosts it started and stopped
/// and when, and the host types it backed off. Reconciled with the provider's list at each tick.
/// </summary>
[GenerateSerializer, Alias("ollm.AutoscalerGrainState")]
public sealed class AutoscalerGrainState
{
    /// <summary>Hosts asked to start and not yet ready, and when they were asked.</summary>
    [Id(0)] public Dictionary<string, DateTimeOffset> Starting { get; set; } = [];

    /// <summary>When each running host was started (or first seen running): its lifetime counts from here.</summary>
    [Id(1)] public Dictionary<string, DateTimeOffset> Started { get; set; } = [];

    /// <summary>Hosts asked to stop and not yet stopped.</summary>
    [Id(2)] public Dictionary<string, DateTimeOffset> Stopping { get; set; } = [];

    [Id(3)] public Dictionary<string, DateTimeOffset> Stopped { get; set; } = [];

    /// <summary>Failed starts in a row per host type, and no start of it before when.</summary>
    [Id(4)] public Dictionary<string, int> Failures { get; set; } = [];

    [Id(5)] public Dictionary<string, DateTimeOffset> BackedOffUntil { get; set; } = [];

    [Id(6)] public DateTimeOffset? LastScaleOut { get; set; }

    /// <summary>Hosts starting: the models (and their bytes) each was started for, whose room on it is theirs until it is ready.</summary>
    [Id(7)] public Dictionary<string, Dictionary<string, long>> Promised { get; set; } = [];
}
