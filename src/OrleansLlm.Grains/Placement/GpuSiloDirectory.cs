using Microsoft.Extensions.Logging;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Grains.Placement;

/// <summary>The GPU silos through their <see cref="IGpuSiloGrain"/>s.</summary>
internal sealed partial class GpuSiloDirectory(IGrainFactory grains, ILogger<GpuSiloDirectory> logger) : IGpuSiloDirectory
{
    public async Task<IReadOnlyList<SiloSnapshot>> Snapshots(IEnumerable<SiloAddress> silos)
    {
        var snapshots = await Task.WhenAll(silos.Select(Snapshot)).ConfigureAwait(false);
        // A silo shutting down takes no new placements, and a control silo none at all: to placement they are not there.
        return [.. snapshots.OfType<SiloSnapshot>().Where(s => !s.Draining && s.TakesModels)];
    }

    public Task<bool> Claim(string silo, string modelPath, RunnerOptions admitted, HostChoiceKind kind) =>
        grains.GetGrain<IGpuSiloGrain>(silo).Claim(modelPath, admitted, kind);

    private async Task<SiloSnapshot?> Snapshot(SiloAddress silo)
    {
        try
        {
            return await grains.GetGrain<IGpuSiloGrain>(silo.ToParsableString()).GetSnapshot().ConfigureAwait(false);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or OperationCanceledException)
        {
            // A silo that just died is still "compatible" (or "active") until membership notices;
            // a lookup of its GPU silo grain that the distributed directory cancels while it rebuilds
            // the lost partition is rejected as canceled (this call has no cancellation of its own).
            LogSiloSkipped(logger, silo, e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} skipped for placement: {Reason}")]
    private static partial void LogSiloSkipped(ILogger logger, SiloAddress silo, string reason);
}
