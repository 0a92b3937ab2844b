namespace OrleansLlm.Scheduling.Autoscaling;

/// <summary>
/// A kind of GPU host a provider can start: its GPUs' memory and what one host costs an hour
/// (any unit, only compared). A Container Apps GPU workload profile, say.
/// </summary>
public sealed record HostType(string Name, IReadOnlyList<long> GpuMemory, double CostPerHour)
{
    public long TotalMemory => GpuMemory.Sum();
}
