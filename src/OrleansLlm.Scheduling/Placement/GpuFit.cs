using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.Scheduling.Placement;

/// <summary>A set of GPUs and the estimate of the model on them.</summary>
public sealed record GpuFit(IReadOnlyList<GpuInfo> Gpus, MemoryEstimate Estimate);
