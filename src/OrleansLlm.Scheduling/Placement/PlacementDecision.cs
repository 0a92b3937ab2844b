using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.Scheduling.Placement;

/// <summary>What to do with a model on one host, the devices, the estimate there, and why.</summary>
public sealed record PlacementDecision(PlacementOutcome Outcome, IReadOnlyList<GpuInfo> Devices, MemoryEstimate? Estimate, string Reason)
{
    public bool OnCpu => Devices.Count > 0 && Devices.All(d => d.IsCpu);
}
