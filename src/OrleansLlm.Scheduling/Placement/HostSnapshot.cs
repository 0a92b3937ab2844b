using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.Scheduling.Placement;

/// <summary>One host as placement sees it: its GPUs as discovered, its system memory, its runners.</summary>
public sealed record HostSnapshot(IReadOnlyList<GpuInfo> Gpus, GpuInfo Cpu, IReadOnlyList<LoadedRunner> Runners);
