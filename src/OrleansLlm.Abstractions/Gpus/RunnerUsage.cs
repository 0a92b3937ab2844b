using OrleansLlm.Scheduling.KeepAlive;

namespace OrleansLlm.Abstractions.Gpus;

/// <summary>What a model grain tells its GPU silo about its runner, for eviction choices and <c>/api/ps</c>.</summary>
/// <param name="Yielding">Draining to make room for another model: it admits no new request and unloads when its last one ends.</param>
[GenerateSerializer, Immutable, Alias("ollm.RunnerUsage")]
public sealed record RunnerUsage(
    [property: Id(0)] int RefCount,
    [property: Id(1)] KeepAliveDuration KeepAlive,
    [property: Id(2)] DateTimeOffset? ExpiresAt,
    [property: Id(3)] bool Yielding = false);
