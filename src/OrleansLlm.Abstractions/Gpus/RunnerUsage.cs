using OrleansLlm.Scheduling.KeepAlive;

namespace OrleansLlm.Abstractions.Gpus;

/// <summary>What a model grain tells its GPU silo about its runner, for eviction choices and <c>/api/ps</c>.</summary>
[GenerateSerializer, Immutable, Alias("ollm.RunnerUsage")]
public sealed record RunnerUsage(
    [property: Id(0)] int RefCount,
    [property: Id(1)] KeepAliveDuration KeepAlive,
    [property: Id(2)] DateTimeOffset? ExpiresAt);
