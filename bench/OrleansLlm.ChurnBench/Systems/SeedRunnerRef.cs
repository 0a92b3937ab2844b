using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>Ollama's <c>runnerRef</c>: one loaded or loading runner of a single host, guarded by the host's lock.</summary>
internal sealed class SeedRunnerRef(string modelPath, IReadOnlyList<GpuInfo> devices, MemoryEstimate estimate, KeepAliveDuration keepAlive)
{
    public string ModelPath { get; } = modelPath;

    public IReadOnlyList<GpuInfo> Devices { get; } = devices;

    public MemoryEstimate Estimate { get; } = estimate;

    public int RefCount { get; set; } = 1;

    public bool Loading { get; set; } = true;

    public KeepAliveDuration KeepAlive { get; set; } = keepAlive;

    public DateTimeOffset? ExpiresAt { get; set; }

    public ITimer? ExpiryTimer { get; set; }

    /// <summary>Chosen as a victim: its unload counts as an eviction.</summary>
    public bool Evicted { get; set; }

    public ILlmRunner? Runner { get; set; }

    /// <summary>Completes when the load ends, either way.</summary>
    public TaskCompletionSource Loaded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LoadedRunner ToLoadedRunner() => new()
    {
        ModelPath = ModelPath,
        RefCount = RefCount,
        KeepAlive = KeepAlive,
        ExpiresAt = ExpiresAt,
        Loading = Loading,
        VramByGpu = Estimate.VramByGpu(Devices),
        TotalBytes = Estimate.TotalSize,
    };
}
