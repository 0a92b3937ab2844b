namespace OrleansLlm.Scheduling.Autoscaling;

/// <summary>One host of the pool as the autoscaler sees it at a tick.</summary>
public sealed record FleetHost
{
    public required string Id { get; init; }

    /// <summary>The <see cref="HostType.Name"/> of the host.</summary>
    public required string Type { get; init; }

    public required HostState State { get; init; }

    /// <summary>When it was asked to start (or first seen running); null while stopped.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it was last stopped; null if never.</summary>
    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>GPU memory not reserved by any model (a starting host: all of its type's).</summary>
    public long FreeBytes { get; init; }

    /// <summary>Requests in flight on its models, and loads waiting there for room.</summary>
    public int InFlight { get; init; }

    public int QueuedLoads { get; init; }

    /// <summary>Since when nothing has been in flight or waiting there; null while busy.</summary>
    public DateTimeOffset? IdleSince { get; init; }

    /// <summary>Its models that are still wanted (pinned, or kept alive and not expired): they must fit elsewhere before it may go.</summary>
    public IReadOnlyList<WantedModel> Wanted { get; init; } = [];

    /// <summary>
    /// A starting host: the models it was started for. Their room on it is theirs until it is ready,
    /// so a model reported later fills only what is left (or opens its own host at once) and never
    /// pushes a promised one onto yet another start.
    /// </summary>
    public IReadOnlyList<WantedModel> Promised { get; init; } = [];
}

/// <summary>A model a host holds that must be kept loaded somewhere, and its GPU memory.</summary>
public sealed record WantedModel(string Model, long Bytes);
