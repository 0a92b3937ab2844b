namespace OrleansLlm.Scheduling.Admission;

/// <summary>What a GPU silo answers a model that asks for room.</summary>
public enum AdmissionVerdict
{
    /// <summary>The silo already holds what was asked (a retried call): nothing changes.</summary>
    Held,

    /// <summary>Room is reserved: load (or, for a claim, the memory is held until the load asks).</summary>
    Grant,

    /// <summary>Reserved once the named idle runners unload: evict them, then ask again.</summary>
    Evict,

    /// <summary>In the queue: busy runners or loads ahead hold the room; ask again when the silo changes.</summary>
    Wait,

    /// <summary>
    /// Not here: the director's view was stale (a claim it ranked is gone), the model fits only
    /// partly here, or it was never placed for this load. The model is placed again.
    /// </summary>
    Relocate,

    /// <summary>It cannot fit on this silo even with nothing else loaded.</summary>
    TooLarge,

    /// <summary>
    /// Waited past <c>DrainBusyAfter</c> for memory only busy runners hold: ask the named runners
    /// to drain (their requests finish, then they unload), then ask again when the silo changes.
    /// </summary>
    DrainBusy,
}
