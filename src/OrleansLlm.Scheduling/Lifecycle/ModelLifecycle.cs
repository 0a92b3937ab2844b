using OrleansLlm.Scheduling.KeepAlive;

namespace OrleansLlm.Scheduling.Lifecycle;

/// <summary>
/// The states of one model's activation and the only transitions between them, with the counts
/// and flags they depend on: requests holding the runner, requests waiting for it, open streams,
/// a reload draining, the keep-alive and the idle countdown. The model grain does the work (load,
/// unload, persist); this type decides what is allowed and when the activation may go.
/// </summary>
/// <remarks>
/// <code>
/// Unloaded ──BeginLoad──▶ Loading ──Loaded──▶ Ready ──BeginUnload──▶ Unloading ──Unloaded──▶ Unloaded
///                           │  └──LoadFailed──▶ Unloaded
///                           └──Leave──▶ Leaving (final: the model is placed again elsewhere)
/// </code>
/// A runner with requests in flight is never unloaded (the seed's rule); a reload first drains
/// them (<see cref="ReloadPending"/> holds new requests back meanwhile), and so does a runner
/// yielding its room to another model's load (<see cref="Yielding"/>).
/// </remarks>
public sealed class ModelLifecycle(KeepAliveDuration defaultKeepAlive)
{
    private KeepAliveDuration? _keepAlive;

    public ModelPhase Phase { get; private set; } = ModelPhase.Unloaded;

    /// <summary>Requests holding the runner (the seed's reference count).</summary>
    public int Refs { get; private set; }

    /// <summary>Requests waiting for a runner to be loaded, reloaded or unloaded first.</summary>
    public int Pending { get; private set; }

    /// <summary>Streams a caller still reads (a stream outlives its request by its last reply).</summary>
    public int OpenStreams { get; private set; }

    /// <summary>A load is in flight, its outcome not yet handled (a failed load still releasing its room counts).</summary>
    public bool LoadInFlight { get; private set; }

    /// <summary>A reload waits for the requests in flight to finish; new requests wait behind it.</summary>
    public bool ReloadPending { get; private set; }

    /// <summary>Draining to make room for another model's load: new requests wait, and it unloads when the last one in flight ends.</summary>
    public bool Yielding { get; private set; }

    /// <summary>When the idle countdown ends; null while busy, unloaded, or kept forever.</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>The keep-alive of the request that last used the model (the server's default until one did).</summary>
    public KeepAliveDuration KeepAlive => _keepAlive ?? defaultKeepAlive;

    public bool IsLeaving => Phase == ModelPhase.Leaving;

    /// <summary>Ready, and not about to reload or yield its room: a request may use the runner if its options match.</summary>
    public bool IsServing => Phase == ModelPhase.Ready && !ReloadPending && !Yielding;

    /// <summary>Ready, and nobody holds or waits for the runner: its countdown runs, and another model may evict it.</summary>
    public bool IsIdle => Phase == ModelPhase.Ready && Refs == 0 && Pending == 0;

    /// <summary>Nothing is left of the model here: no runner, no request holding or waiting for one, no load in flight. Its room and its activation may go.</summary>
    public bool MayRetire => Phase is ModelPhase.Unloaded && Refs == 0 && Pending == 0 && !LoadInFlight;

    /// <summary><see cref="MayRetire"/>, and no caller still reads a stream (deactivating under one aborts it).</summary>
    public bool MayDeactivate => MayRetire && OpenStreams == 0;

    /// <summary>The last request ended and its keep-alive is 0: unload now rather than count down.</summary>
    public bool UnloadsWhenIdle => KeepAlive.UnloadsWhenIdle && !ReloadPending && Pending == 0;

    /// <summary>The keep-alive from now on (a request's, the saved one on restore, or 0 for an unload request).</summary>
    public void KeepFor(KeepAliveDuration keepAlive) => _keepAlive = keepAlive;

    public void BeginLoad()
    {
        Require(Phase == ModelPhase.Unloaded, nameof(BeginLoad));
        Phase = ModelPhase.Loading;
        LoadInFlight = true;
    }

    public void Loaded()
    {
        Require(Phase == ModelPhase.Loading, nameof(Loaded));
        Phase = ModelPhase.Ready;
    }

    /// <summary>The load failed (or its caller left): no runner. A leaving activation stays leaving.</summary>
    public void LoadFailed()
    {
        Require(Phase is ModelPhase.Loading or ModelPhase.Leaving, nameof(LoadFailed));
        if (Phase == ModelPhase.Loading)
            Phase = ModelPhase.Unloaded;
    }

    /// <summary>The load's outcome is handled: a later load may start, and the activation may retire.</summary>
    public void LoadEnded() => LoadInFlight = false;

    /// <summary>The load gave up this silo: the model is placed again, and this activation only forwards.</summary>
    public void Leave()
    {
        Require(Phase == ModelPhase.Loading, nameof(Leave));
        Phase = ModelPhase.Leaving;
    }

    public void BeginUnload()
    {
        Require(Phase == ModelPhase.Ready && Refs == 0, nameof(BeginUnload));
        Phase = ModelPhase.Unloading;
        ExpiresAt = null;
    }

    public void Unloaded()
    {
        Require(Phase == ModelPhase.Unloading, nameof(Unloaded));
        Phase = ModelPhase.Unloaded;
        Yielding = false;
    }

    /// <summary>
    /// Another model's load asks for this runner's room: from now on it admits no request, and it
    /// unloads when the last one in flight ends. False when it may not: not ready, reloading, or
    /// pinned (keep-alive forever is never drained).
    /// </summary>
    public bool BeginYield()
    {
        if (Phase != ModelPhase.Ready || ReloadPending || KeepAlive.IsForever)
            return false;
        Yielding = true;
        return true;
    }

    /// <summary>A request takes the runner with its keep-alive: the countdown stops.</summary>
    public void Acquire(KeepAliveDuration keepAlive)
    {
        Require(Phase == ModelPhase.Ready, nameof(Acquire));
        Refs++;
        _keepAlive = keepAlive;
        ExpiresAt = null;
    }

    /// <summary>A request let the runner go; true when it was the last one.</summary>
    public bool Release()
    {
        Require(Refs > 0, nameof(Release));
        Refs--;
        return Refs == 0;
    }

    public void BeginWait() => Pending++;

    public void EndWait()
    {
        Require(Pending > 0, nameof(EndWait));
        Pending--;
    }

    public void StreamOpened() => OpenStreams++;

    public void StreamClosed()
    {
        Require(OpenStreams > 0, nameof(StreamClosed));
        OpenStreams--;
    }

    /// <summary>A reload starts draining (true) or is done (false).</summary>
    public void Reloading(bool pending) => ReloadPending = pending;

    /// <summary>Starts the idle countdown: the time it ends, or null when there is none (busy, not ready, kept forever).</summary>
    public DateTimeOffset? StartCountdown(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (Refs > 0 || Phase != ModelPhase.Ready || KeepAlive.IsForever)
            return null;
        return ExpiresAt = KeepAlive.ExpiresAt(clock);
    }

    /// <summary>
    /// Whether a ready runner should come back elsewhere when its silo drains: kept forever, or an
    /// idle countdown still running (a request's own keep-alive, not yet spent). Decided from this
    /// state, not from the durable intent, which the request that just ended may still be writing.
    /// </summary>
    public bool WantedAfterDrain(DateTimeOffset now) =>
        Phase == ModelPhase.Ready && !KeepAlive.UnloadsWhenIdle && (KeepAlive.IsForever || ExpiresAt is { } at && at > now);

    /// <summary>The countdown has run out: an idle, ready runner whose time has come.</summary>
    public bool HasExpired(DateTimeOffset now) => Refs == 0 && Phase == ModelPhase.Ready && ExpiresAt is { } at && now >= at;

    private void Require(bool allowed, string transition)
    {
        if (!allowed)
            throw new InvalidOperationException($"model lifecycle: {transition} is not allowed in phase {Phase} (refs {Refs}, pending {Pending})");
    }
}
