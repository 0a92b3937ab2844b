namespace OrleansLlm.Scheduling.Placement;

public enum PlacementOutcome
{
    /// <summary>Load on the chosen devices now.</summary>
    Load,

    /// <summary>Nothing fits beside what is loaded: an idle runner must go first.</summary>
    NeedsEviction,

    /// <summary>It might fit once the GPUs that are busy loading settle: try again shortly.</summary>
    RetryAfterLoad,

    /// <summary>It can never fit on this host, even empty.</summary>
    TooLarge,
}
