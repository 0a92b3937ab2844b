using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Abstractions.Models;

/// <summary>What <c>/api/ps</c> shows of one model: where it runs, what it holds, when it expires.</summary>
[GenerateSerializer, Immutable, Alias("ollm.ModelStatus")]
public sealed record ModelStatus
{
    [Id(0)] public required string ModelPath { get; init; }
    [Id(1)] public ModelState State { get; init; }
    [Id(2)] public int RefCount { get; init; }
    [Id(3)] public KeepAliveDuration KeepAlive { get; init; }

    /// <summary>When the idle model unloads; null while busy, unloaded or kept forever.</summary>
    [Id(4)] public DateTimeOffset? ExpiresAt { get; init; }

    [Id(5)] public string? SiloAddress { get; init; }
    [Id(6)] public IReadOnlyList<GpuInfo> Devices { get; init; } = [];
    [Id(7)] public long SizeBytes { get; init; }
    [Id(8)] public long VramBytes { get; init; }
    [Id(9)] public RunnerOptions? Options { get; init; }
    [Id(10)] public int Loads { get; init; }
    [Id(11)] public MemoryEstimate? Estimate { get; init; }
    [Id(12)] public int PendingRequests { get; init; }
}
