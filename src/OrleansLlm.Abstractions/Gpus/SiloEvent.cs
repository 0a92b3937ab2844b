namespace OrleansLlm.Abstractions.Gpus;

/// <summary>
/// One thing that happened to a GPU silo's room: a load granted, finished, queued, victims named
/// for eviction, or a runner's room released with why.
/// </summary>
[GenerateSerializer, Immutable, Alias("ollm.SiloEvent")]
public sealed record SiloEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] SiloEventKind Kind,
    [property: Id(2)] string ModelPath,
    [property: Id(3)] string Detail);
