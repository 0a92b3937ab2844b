using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Admission;

/// <summary>A GPU silo's bookkeeping as the admission rules see it, for one asking model.</summary>
public sealed record SiloLoads
{
    /// <summary>The host without the asking model's own reservation.</summary>
    public required HostSnapshot Host { get; init; }

    /// <summary>What the silo already holds for the asking model, if anything.</summary>
    public ReservationKind? Existing { get; init; }

    /// <summary>The existing reservation names devices (a claim where the model fitted when placed).</summary>
    public bool ExistingHoldsRoom { get; init; }

    /// <summary>The kind of room the director claimed the existing reservation for.</summary>
    public HostChoiceKind? ExistingClaimedAs { get; init; }

    /// <summary>Loads waiting for room here, in arrival order (<see cref="WaitingLoadOrder"/> decides who is next).</summary>
    public IReadOnlyList<QueuedLoad> Queue { get; init; } = [];

    /// <summary>Loads granted in a row past the head of the queue.</summary>
    public int Overtakes { get; init; }

    /// <summary>Another load is evicting or draining runners to make its room: none may overtake it meanwhile.</summary>
    public bool RoomBeingMadeForAnother { get; init; }

    /// <summary>The silo is shutting down: nothing new is placed or loaded here.</summary>
    public bool Draining { get; init; }

    /// <summary>When this silo last sent the asking model away to be placed again.</summary>
    public DateTimeOffset? SentAwayAt { get; init; }
}
