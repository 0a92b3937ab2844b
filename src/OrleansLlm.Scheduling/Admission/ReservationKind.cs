namespace OrleansLlm.Scheduling.Admission;

/// <summary>What a GPU silo holds for a model (see README's glossary).</summary>
public enum ReservationKind
{
    /// <summary>The director placed the model here to wait for room: a place in the queue, no memory.</summary>
    QueueOnly,

    /// <summary>The director placed the model here where it fits: memory held until it asks to load, or the claim expires.</summary>
    Claim,

    /// <summary>Granted: the runner is loading on the reserved devices.</summary>
    Loading,

    /// <summary>The runner is loaded; the reservation is what it really uses.</summary>
    Loaded,
}
