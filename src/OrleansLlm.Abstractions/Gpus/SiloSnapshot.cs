using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Abstractions.Gpus;

/// <summary>
/// One GPU host as the placement director and <c>/api/ps</c> see it: its GPUs as discovered, its
/// system memory, and every runner reserved, loading or loaded there.
/// </summary>
[GenerateSerializer, Immutable, Alias("ollm.SiloSnapshot")]
public sealed record SiloSnapshot(
    [property: Id(0)] string SiloAddress,
    [property: Id(1)] HostSnapshot Host,
    [property: Id(2)] long Version,
    [property: Id(3)] string InventorySource,
    [property: Id(4)] int QueuedLoads,
    [property: Id(5)] long LoadsGranted)
{
    /// <summary>The silo is shutting down: it takes no new placements.</summary>
    [Id(6)] public bool Draining { get; init; }

    /// <summary>False on a control silo (<c>OLLM_ROLE=control</c>): it runs the autoscaler and holds no model.</summary>
    [Id(7)] public bool TakesModels { get; init; } = true;

    /// <summary>The models whose loads wait for room here, in order.</summary>
    [Id(8)] public IReadOnlyList<string> QueuedModels { get; init; } = [];
}
