namespace OrleansLlm.Abstractions.Models;

[GenerateSerializer, Alias("ollm.GenerationEventKind")]
public enum GenerationEventKind
{
    /// <summary>The model is not ready: the request waits for a load (counted against the queue bound).</summary>
    Queued,

    /// <summary>The request holds a reference on a ready runner; tokens follow.</summary>
    Started,

    /// <summary>A piece of generated text (whole UTF-8 characters).</summary>
    Token,

    /// <summary>The end: why it ended and the statistics.</summary>
    Done,

    /// <summary>
    /// From a model's primary, alone: another runner of the model (a replica, README "Replicas")
    /// takes this request; <see cref="GenerationEvent.Text"/> is its grain key. Callers send the
    /// request there; <see cref="ModelClient"/> does, and never passes this event on.
    /// </summary>
    Redirected,
}
