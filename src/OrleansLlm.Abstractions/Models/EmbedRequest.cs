using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Abstractions.Models;

/// <summary>Texts to embed (none = load only), whether over-long ones are cut, and the load options.</summary>
[GenerateSerializer, Immutable, Alias("ollm.EmbedRequest")]
public sealed record EmbedRequest
{
    [Id(0)] public IReadOnlyList<string> Inputs { get; init; } = [];
    [Id(1)] public bool Truncate { get; init; } = true;
    /// <summary>
    /// Runner options as the request gave them (before <c>num_parallel</c> admission). They travel
    /// once, in the call's request context (<see cref="ModelRequestContext"/>), where the placement
    /// director can read them before the request reaches the grain: <see cref="ModelClient"/> puts
    /// them there, and they are not part of the serialized request.
    /// </summary>
    [field: NonSerialized]
    public RunnerOptions Runner { get; init; } = RunnerOptions.Default;
    [Id(3)] public KeepAliveDuration? KeepAlive { get; init; }
}

/// <summary>One unit vector per input, and how long it took.</summary>
[GenerateSerializer, Immutable, Alias("ollm.EmbedResult")]
public sealed record EmbedResult(
    [property: Id(0)] IReadOnlyList<float[]> Embeddings,
    [property: Id(1)] long LoadDurationNs,
    [property: Id(2)] long TotalDurationNs);
