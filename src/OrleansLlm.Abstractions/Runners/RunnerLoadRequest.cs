using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Abstractions.Runners;

/// <summary>Everything a runner needs to load: the file, the admitted options, and where placement put it.</summary>
public sealed record RunnerLoadRequest(
    string ModelPath,
    RunnerOptions Options,
    int NumParallel,
    IReadOnlyList<GpuInfo> Devices,
    MemoryEstimate Estimate,
    IReadOnlyList<string> Adapters,
    IReadOnlyList<string> Projectors);
