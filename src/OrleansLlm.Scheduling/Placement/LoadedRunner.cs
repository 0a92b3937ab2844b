using OrleansLlm.Scheduling.KeepAlive;

namespace OrleansLlm.Scheduling.Placement;

/// <summary>What the scheduler knows of one loaded (or loading) runner on a host.</summary>
public sealed record LoadedRunner
{
    public required string ModelPath { get; init; }

    /// <summary>Requests in flight. A runner with any is never evicted.</summary>
    public int RefCount { get; init; }

    public KeepAliveDuration KeepAlive { get; init; } = KeepAliveDuration.Default;

    /// <summary>When an idle runner expires; null while busy or when kept forever.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>True until the first successful load: its GPUs take no other load meanwhile.</summary>
    public bool Loading { get; init; }

    /// <summary>Predicted bytes per GPU id (Ollama's <c>EstimatedVRAMByGPU</c>).</summary>
    public IReadOnlyDictionary<string, long> VramByGpu { get; init; } = new Dictionary<string, long>();

    /// <summary>Predicted bytes in all, GPU and system memory.</summary>
    public long TotalBytes { get; init; }

    public long VramBytes => VramByGpu.Values.Sum();

    /// <summary>Bytes that live in system memory.</summary>
    public long RamBytes => Math.Max(0, TotalBytes - VramBytes);

    /// <summary>When its load finished; null while loading.</summary>
    public DateTimeOffset? LoadedAt { get; init; }

    /// <summary>Draining to make room for another model: it admits no new request and unloads when its last one ends.</summary>
    public bool Yielding { get; init; }

    public bool IsIdle => RefCount == 0;
}
