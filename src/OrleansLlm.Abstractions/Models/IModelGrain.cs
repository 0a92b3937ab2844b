using Orleans.Concurrency;

namespace OrleansLlm.Abstractions.Models;

/// <summary>
/// One model, keyed by its canonical path under the models root: its loaded runner, the requests
/// in flight on it, its keep-alive and its reload rules.
/// </summary>
[Alias("ollm.IModelGrain")]
public interface IModelGrain : IGrainWithStringKey
{
    /// <summary>
    /// Generates, streaming: on a model's primary, <see cref="GenerationEventKind.Redirected"/> alone
    /// when another of its runners takes the request (call that one); else <see cref="GenerationEventKind.Queued"/> first if the model must be
    /// loaded, then <see cref="GenerationEventKind.Started"/>, tokens, and
    /// <see cref="GenerationEventKind.Done"/>. A load-only request ends with done reason <c>load</c>.
    /// The request holds a reference on the runner until the stream ends, fails or is cancelled.
    /// </summary>
    [Alias("Generate")]
    IAsyncEnumerable<GenerationEvent> Generate(GenerateRequest request, CancellationToken cancellationToken = default);

    /// <summary>Embeds the inputs (loading the model first if needed); no inputs only loads it.</summary>
    [Alias("Embed")]
    IAsyncEnumerable<GenerationEvent> Embed(EmbedRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ollama's explicit unload (<c>keep_alive: 0</c> with no prompt): the model unloads as soon as
    /// no request is in flight. False when it was not loaded.
    /// </summary>
    [Alias("Unload")]
    Task<bool> Unload();

    /// <summary>Unloads now if no request is in flight (another model needs the room); false if busy.</summary>
    [Alias("EvictIfIdle")]
    Task<bool> EvictIfIdle();

    /// <summary>
    /// Drains to make room for <paramref name="forModelPath"/>, whose load waited too long behind
    /// busy models: no new request is admitted (they wait, then load it again wherever there is
    /// room), the ones in flight finish, then the runner unloads. False when it may not (pinned,
    /// not loaded, reloading).
    /// </summary>
    [Alias("YieldRoom")]
    Task<bool> YieldRoom(string forModelPath);

    /// <summary>
    /// Its silo is shutting down: once no request holds or waits for it, the model unloads and its
    /// activation leaves — placed again elsewhere at once if it is still wanted (pinned or kept
    /// alive). False while requests are in flight (ask again).
    /// </summary>
    [Alias("Drain")]
    Task<bool> Drain();

    /// <summary>
    /// On a replica (README "Replicas"): load in the background with the calling request's runner
    /// options and this keep-alive, and tell the primary when ready. Placement throws
    /// <see cref="Errors.NoRoomForReplicaException"/> where no silo without a runner of the model
    /// has room now. Returns the replica's silo.
    /// </summary>
    [Alias("StartReplica")]
    Task<string> StartReplica(Scheduling.KeepAlive.KeepAliveDuration keepAlive);

    /// <summary>On a primary: one of its replicas changed (see <see cref="ReplicaReport"/>).</summary>
    [OneWay, AlwaysInterleave, Alias("ReplicaChanged")]
    Task ReplicaChanged(ReplicaReport report);

    [AlwaysInterleave, Alias("GetStatus")]
    Task<ModelStatus> GetStatus();
}
