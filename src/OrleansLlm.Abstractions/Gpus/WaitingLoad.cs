namespace OrleansLlm.Abstractions.Gpus;

/// <summary>A load waiting for room on a GPU silo: since when, why (the admission's latest reason), and how many requests wait for it.</summary>
[GenerateSerializer, Immutable, Alias("ollm.WaitingLoad")]
public sealed record WaitingLoad(
    [property: Id(0)] string ModelPath,
    [property: Id(1)] DateTimeOffset Since,
    [property: Id(2)] string Reason,
    [property: Id(3)] int WaitingRequests = 1);
