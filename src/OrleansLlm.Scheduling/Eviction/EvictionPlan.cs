using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Eviction;

/// <summary>
/// The idle runners to unload so that a model fits; or, when no set of idle runners is enough,
/// the busy runner expected to free first (to be unloaded only once idle, never interrupted).
/// </summary>
public sealed record EvictionPlan(IReadOnlyList<LoadedRunner> Victims, LoadedRunner? WaitFor)
{
    public static EvictionPlan Nothing { get; } = new([], null);

    public bool CanEvictNow => Victims.Count > 0;
}
