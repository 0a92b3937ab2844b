namespace OrleansLlm.Scheduling.Autoscaling;

/// <summary>Everything one autoscaler tick decides from.</summary>
/// <param name="Hosts">Every host of the provider's pool, stopped ones included.</param>
/// <param name="Types">The host types the provider offers.</param>
/// <param name="Demand">Models no running host gives room to, one entry per model.</param>
/// <param name="Backoff">Host types backed off after failed starts.</param>
/// <param name="LastScaleOut">When a host was last started: no scale-in for a scale-in delay after it.</param>
/// <param name="LastDemand">When a model was last unplaceable: no scale-in for a scale-in delay after it either (a host just
/// made ready looks idle until the requests that asked for it are placed there).</param>
public sealed record FleetView(
    IReadOnlyList<FleetHost> Hosts,
    IReadOnlyList<HostType> Types,
    IReadOnlyList<UnplaceableLoad> Demand,
    IReadOnlyDictionary<string, TypeBackoff> Backoff,
    DateTimeOffset? LastScaleOut,
    DateTimeOffset? LastDemand = null);
