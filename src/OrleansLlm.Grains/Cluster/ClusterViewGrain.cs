using Orleans.Concurrency;
using OrleansLlm.Abstractions.Cluster;

namespace OrleansLlm.Grains.Cluster;

/// <summary>
/// A stateless worker, so a front-end's call is answered by the gateway silo it reaches, from that
/// silo's membership snapshot.
/// </summary>
[GrainType("clusterview"), StatelessWorker, Reentrant]
internal sealed class ClusterViewGrain(IClusterMembershipService membership) : Grain, IClusterViewGrain
{
    public Task<SiloAddress[]> GetActiveSilos() => Task.FromResult(ActiveSilos(membership));

    /// <summary>The active silos in <paramref name="membership"/>'s snapshot (also the autoscaler's view).</summary>
    public static SiloAddress[] ActiveSilos(IClusterMembershipService membership) =>
        [.. membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)];
}
