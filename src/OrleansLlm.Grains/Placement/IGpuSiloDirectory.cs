using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Grains.Placement;

/// <summary>The GPU silos as placement reaches them: their snapshots, and claims on their room.</summary>
internal interface IGpuSiloDirectory
{
    /// <summary>The snapshot of each silo that answers and is not shutting down; a silo that does not answer (it just died, say) is left out.</summary>
    Task<IReadOnlyList<SiloSnapshot>> Snapshots(IEnumerable<SiloAddress> silos);

    /// <summary>The director's claim on a silo it ranked for <paramref name="kind"/> (see <see cref="IGpuSiloGrain.Claim"/>).</summary>
    Task<bool> Claim(string silo, string modelPath, RunnerOptions admitted, HostChoiceKind kind);
}
