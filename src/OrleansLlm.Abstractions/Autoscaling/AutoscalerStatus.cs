namespace OrleansLlm.Abstractions.Autoscaling;

/// <summary>The autoscaler as the dashboard and logs show it.</summary>
[GenerateSerializer, Immutable, Alias("ollm.AutoscalerStatus")]
public sealed record AutoscalerStatus
{
    [Id(0)] public required string Mode { get; init; }

    [Id(1)] public required string Provider { get; init; }

    /// <summary>Hosts starting or ready now, and once the last decision is carried out.</summary>
    [Id(2)] public int Running { get; init; }

    [Id(3)] public int Desired { get; init; }

    [Id(4)] public IReadOnlyList<FleetHostStatus> Hosts { get; init; } = [];

    /// <summary>The latest decisions, newest last.</summary>
    [Id(5)] public IReadOnlyList<ScaleEvent> Decisions { get; init; } = [];

    /// <summary>Demand no start can meet now, with why.</summary>
    [Id(6)] public IReadOnlyList<string> Unmet { get; init; } = [];

    [Id(7)] public long Starts { get; init; }

    [Id(8)] public long Stops { get; init; }

    [Id(9)] public long FailedStarts { get; init; }

    /// <summary>The control silo the autoscaler runs on.</summary>
    [Id(10)] public string Silo { get; init; } = "";
}

/// <summary>One host of the pool: its state as the autoscaler sees it, and since when.</summary>
[GenerateSerializer, Immutable, Alias("ollm.FleetHostStatus")]
public sealed record FleetHostStatus(
    [property: Id(0)] string Id,
    [property: Id(1)] string Type,
    [property: Id(2)] string State,
    [property: Id(3)] string SiloEndpoint,
    [property: Id(4)] DateTimeOffset? Since);

/// <summary>A decision: start, stop or give up a host, when, and why.</summary>
[GenerateSerializer, Immutable, Alias("ollm.ScaleEvent")]
public sealed record ScaleEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Action,
    [property: Id(2)] string HostId,
    [property: Id(3)] string Reason,
    [property: Id(4)] bool Carried);
