namespace OrleansLlm.Abstractions.Gpus;

/// <summary>A load waiting for room on a GPU silo: since when, and why (the admission's latest reason).</summary>
[GenerateSerializer, Immutable, Alias("ollm.WaitingLoad")]
public sealed record WaitingLoad(
    [property: Id(0)] string ModelPath,
    [property: Id(1)] DateTimeOffset Since,
    [property: Id(2)] string Reason);
