using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Abstractions.Models;

/// <summary>What a replica tells its model's primary whenever it changes: whether it serves, with what, and how busy it is.</summary>
/// <param name="Gone">The replica's activation left (unloaded and retired, its silo drained or lost): forget it.</param>
[GenerateSerializer, Immutable, Alias("ollm.ReplicaReport")]
public sealed record ReplicaReport(
    [property: Id(0)] int Replica,
    [property: Id(1)] string SiloAddress,
    [property: Id(2)] bool Ready,
    [property: Id(3)] bool Loading,
    [property: Id(4)] int InFlight,
    [property: Id(5)] RunnerOptions? Options,
    [property: Id(6)] bool Gone);
