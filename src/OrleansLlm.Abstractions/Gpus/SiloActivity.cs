namespace OrleansLlm.Abstractions.Gpus;

/// <summary>What a GPU silo shows beside its snapshot: loads waiting for room and why, and its recent events, oldest first.</summary>
[GenerateSerializer, Immutable, Alias("ollm.SiloActivity")]
public sealed record SiloActivity(
    [property: Id(0)] IReadOnlyList<WaitingLoad> Waiting,
    [property: Id(1)] IReadOnlyList<SiloEvent> Recent);
