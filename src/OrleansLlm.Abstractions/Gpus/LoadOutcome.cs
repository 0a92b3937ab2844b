namespace OrleansLlm.Abstractions.Gpus;

public enum LoadOutcome
{
    /// <summary>Reserved: load on the devices given.</summary>
    Granted,

    /// <summary>Reserved once the named idle runners unload: evict them, then ask again.</summary>
    Evict,

    /// <summary>Queued: busy runners hold the room (or the GPUs are loading); ask again when the silo changes.</summary>
    Wait,

    /// <summary>This silo was the wrong choice (the director's view was stale): re-place the model.</summary>
    Relocate,

    /// <summary>The model cannot fit on this silo even with nothing else loaded.</summary>
    TooLarge,

    /// <summary>
    /// It loads again where it last ran but would have to evict or wait here, and was never placed
    /// for this load: let the director choose with the whole cluster in view (progress, not a bounce).
    /// </summary>
    Move,
}
