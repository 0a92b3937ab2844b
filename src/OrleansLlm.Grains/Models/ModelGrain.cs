using OrleansLlm.Gguf.Files;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Grains.Placement;
using OrleansLlm.Grains.Telemetry;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Lifecycle;
using OrleansLlm.Scheduling.Reload;
using OrleansLlm.Scheduling.Replicas;

namespace OrleansLlm.Grains.Models;

// The grain type names which state and reminders are stored under: stable across renames.
[GrainType("model"), GpuFitPlacement, Immovable, KeepAlive]
internal sealed partial class ModelGrain(
    [PersistentState(ModelGrain.StateName, OrleansLlmStorage.Name)] IPersistentState<ModelGrainState> saved,
    ILlmRunnerFactory runners,
    IGpuInventory inventory,
    IOptions<OrleansLlmOptions> options,
    TimeProvider clock,
    ILocalSiloDetails localSilo,
    IClusterMembershipService membership,
    ModelFileCache files,
    IGpuSiloDirectory gpuSilos,
    SchedulerMetrics metrics,
    ILogger<ModelGrain> logger) : Grain, IModelGrain, IRemindable
{
    internal const string ReminderName = "keep-alive";
    internal const string StateName = "model";

    private readonly CancellationTokenSource _lifetime = new();
    private readonly ModelLifecycle _life = new(options.Value.DefaultKeepAlive);
    private ILlmRunner? _runner;
    private RunnerIdentity? _identity;
    private IReadOnlyList<GpuInfo> _devices = [];
    private Scheduling.Estimation.MemoryEstimate? _estimate;
    private Task? _loadTask;
    private Task? _unloadTask;
    private TaskCompletionSource _idle = NewSignal();
    private int _loads;
    private long _loadedAt;
    private int _loadGeneration;
    private IGrainTimer? _expiry;
    private bool _reminderRegistered;
    private IGrainTimer? _retire;
    private IGrainTimer? _persistRetry;
    private IGrainTimer? _restore;
    private bool _intentStale;
    private string? _yieldingFor;
    private readonly SemaphoreSlim _persisting = new(1, 1);

    /// <summary>The grain key: which runner of the model this activation is (README "Replicas").</summary>
    private ModelKey Key => _key ??= ModelKey.Parse(this.GetPrimaryKeyString());

    private ModelKey? _key;

    /// <summary>The model file.</summary>
    private string ModelPath => Key.Path;

    /// <summary>What the GPU silo and other models know this runner by (reservations, evictions, drains).</summary>
    private string RunnerKey => this.GetPrimaryKeyString();

    private string SiloAddress => localSilo.SiloAddress.ToParsableString();

    private IGpuSiloGrain LocalGpus => GrainFactory.GetGrain<IGpuSiloGrain>(SiloAddress);

    /// <summary>As in the seed: a request without <c>keep_alive</c> gets the server's default, not the previous request's. A replica is never pinned.</summary>
    private KeepAliveDuration KeepAliveOf(KeepAliveDuration? requested) => Key.IsPrimary
        ? requested ?? options.Value.DefaultKeepAlive
        : ReplicaRule.KeepAlive(requested ?? options.Value.DefaultKeepAlive, options.Value.DefaultKeepAlive);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _expiry = this.RegisterGrainTimer(static (self, _) => self.OnExpiryTimer(), this,
            new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        _retire = this.RegisterGrainTimer(static (self, _) => self.OnRetireTimer(), this,
            new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = false });
        _persistRetry = this.RegisterGrainTimer(static (self, _) => self.OnPersistRetry(), this,
            new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = false });
        if (saved.State.WantLoaded)
        {
            _life.KeepFor(saved.State.KeepAlive);
            // Placed again after its silo drained (or re-activated after a host loss): still wanted,
            // so it loads now rather than at the next reminder tick.
            if (StillWanted())
                _restore = this.RegisterGrainTimer(static (self, _) => self.RestoreIfUnloaded(), this,
                    new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        }
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _lifetime.CancelAsync();
        if (_runner is { } runner)
        {
            // Silo shutdown or a relocation: free the memory. The durable state is kept, so a
            // pinned or kept-alive model is brought back by its reminder wherever there is room.
            _runner = null;
            await runner.DisposeAsync();
            metrics.RecordUnload(ModelPath, SiloAddress, UnloadReason.Deactivated, clock.GetElapsedTime(_loadedAt));
        }
        try
        {
            await LocalGpus.Release(RunnerKey, $"deactivated: {reason.Description}");
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or ObjectDisposedException)
        {
            // Silo shutdown: the GPU silo grain is going too, and its reservations with it.
        }
        await TellPrimary(gone: true);
        LogDeactivated(logger, RunnerKey, reason.Description);
    }

    public IAsyncEnumerable<GenerationEvent> Generate(GenerateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.IsLoadOnly && request.KeepAlive is { UnloadsWhenIdle: true })
            return UnloadRequest(cancellationToken);
        var identity = new RunnerIdentity(options.Value.Admit(ModelRequestContext.RunnerOptions), request.Adapters, request.Projectors);
        if (Route(identity, request.KeepAlive) is { } replica)
            return Redirect(replica);
        return Serve(identity, request.KeepAlive, request.IsLoadOnly ? null : (runner, ct) => runner.GenerateAsync(request, ct), cancellationToken);
    }

    /// <summary>
    /// Embeddings take the generation's path: a stream (so a long wait for room and a load never
    /// hit a call timeout, and never hold the grain's turn), counted as queued while it waits.
    /// </summary>
    public IAsyncEnumerable<GenerationEvent> Embed(EmbedRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var identity = RunnerIdentity.Of(options.Value.Admit(ModelRequestContext.RunnerOptions));
        if (Route(identity, request.KeepAlive) is { } replica)
            return Redirect(replica);
        return Serve(identity, request.KeepAlive, request.Inputs.Count == 0 ? null : Embedding, cancellationToken);

        async IAsyncEnumerable<GenerationEvent> Embedding(ILlmRunner runner, [EnumeratorCancellation] CancellationToken ct)
        {
            var vectors = await runner.EmbedAsync(request.Inputs, request.Truncate, ct);
            yield return GenerationEvent.Embedded(vectors, new GenerationStats());
        }
    }

    /// <summary>
    /// One request's stream: waits (counted as queued) for a runner that serves
    /// <paramref name="identity"/>, holds a reference on it while <paramref name="work"/> runs (none:
    /// load only), and ends with the load and total durations in the final event's stats.
    /// </summary>
    private async IAsyncEnumerable<GenerationEvent> Serve(RunnerIdentity identity, KeepAliveDuration? keepAlive,
        Func<ILlmRunner, CancellationToken, IAsyncEnumerable<GenerationEvent>>? work, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _life.StreamOpened();
        // The request's span on this silo. Activity.Current is the Orleans call that asked for the
        // next item, so it is set again after each yield where child spans (the load) should nest.
        using var span = OrleansLlmTracing.Source.StartActivity("ollm.model.request");
        span?.SetTag("ollm.model", ModelPath);
        span?.SetTag("ollm.silo", SiloAddress);
        try
        {
            if (_life.IsLeaving)
                throw Leaving();
            if (!Key.IsPrimary && !_life.IsServing && _life.Phase != ModelPhase.Loading)
            {
                // Sent here as it went, or to an activation placed anew by the call: nothing to keep.
                if (_life.MayRetire)
                    await Retire();
                throw NotServingReplica();
            }
            var started = Stopwatch.GetTimestamp();
            long loadNanoseconds = 0;
            var waited = (TimeSpan?)null;
            if (!await IsServing(identity))
            {
                var why = _life.Phase == ModelPhase.Loading ? "model is loading" : "model must be loaded";
                span?.AddEvent(new ActivityEvent("queued", tags: new ActivityTagsCollection { ["reason"] = why }));
                yield return GenerationEvent.Queued(why) with { SiloAddress = SiloAddress };
                if (span is not null)
                    Activity.Current = span;
                metrics.WaitingChanged(ModelPath, SiloAddress, 1);
                try
                {
                    loadNanoseconds = await WaitForRunner(identity, KeepAliveOf(keepAlive), started, cancellationToken);
                }
                finally
                {
                    metrics.WaitingChanged(ModelPath, SiloAddress, -1);
                }
                waited = Stopwatch.GetElapsedTime(started);
            }

            await AcquireReference(KeepAliveOf(keepAlive));
            metrics.ActiveChanged(ModelPath, SiloAddress, 1);
            try
            {
                metrics.RecordServed(ModelPath, SiloAddress, waited);
                span?.SetTag("ollm.cache", waited is null ? "hit" : "miss");
                span?.AddEvent(new ActivityEvent("started"));
                yield return new GenerationEvent(GenerationEventKind.Started, SiloAddress: SiloAddress);
                if (work is null)
                {
                    yield return GenerationEvent.Done("load", new GenerationStats { LoadDurationNs = loadNanoseconds, TotalDurationNs = Nanoseconds(started) });
                    yield break;
                }
                var first = true;
                await foreach (var item in work(_runner!, cancellationToken))
                {
                    if (first && item.Kind is GenerationEventKind.Token or GenerationEventKind.Done)
                    {
                        first = false;
                        span?.AddEvent(new ActivityEvent(item.Kind == GenerationEventKind.Token ? "first_token" : "done"));
                    }
                    yield return item.Kind == GenerationEventKind.Done
                        ? item with { Stats = (item.Stats ?? new()) with { LoadDurationNs = loadNanoseconds, TotalDurationNs = Nanoseconds(started) } }
                        : item;
                }
            }
            finally
            {
                metrics.ActiveChanged(ModelPath, SiloAddress, -1);
                await ReleaseReference();
            }
        }
        finally
        {
            _life.StreamClosed();
        }
    }

    /// <summary>Ollama's unload request (<c>keep_alive: 0</c>, no prompt): it never loads a model that is not loaded.</summary>
    private async IAsyncEnumerable<GenerationEvent> UnloadRequest([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        _life.StreamOpened();
        try
        {
            if (_life.IsLeaving)
                throw Leaving();
            UnloadReplicas(except: null);
            var retire = await UnloadWhenIdle();
            yield return GenerationEvent.Done("unload", new GenerationStats()) with { SiloAddress = SiloAddress };
            if (retire)
                await Retire();
        }
        finally
        {
            _life.StreamClosed();
        }
    }

    public async Task<bool> Unload()
    {
        var wasLoaded = _life.Phase is ModelPhase.Ready or ModelPhase.Loading || _replicas.Count > 0;
        UnloadReplicas(except: null);
        if (await UnloadWhenIdle())
            await Retire();
        return wasLoaded;
    }

    /// <summary>Keep-alive 0 from now on: unloads now if idle (true: nothing left, retire) or when the last request ends.</summary>
    private async Task<bool> UnloadWhenIdle()
    {
        _life.KeepFor(KeepAliveDuration.Zero);
        await Forget();
        if (_life.Refs == 0)
            await UnloadRunner(UnloadReason.Requested, "unload requested");
        return _life.MayRetire;
    }

    public async Task<bool> EvictIfIdle()
    {
        if (_life.Phase is ModelPhase.Unloaded or ModelPhase.Leaving)
            return true;
        if (_life.Phase == ModelPhase.Unloading)
        {
            // Already on its way out (expired, keep-alive 0): the evicting load waits for that, once.
            await _unloadTask!;
            return true;
        }
        if (!_life.IsIdle)
            return false;
        await UnloadRunner(UnloadReason.Evicted, "evicted to make room");
        await ForgetAndRetire();
        return true;
    }

    public async Task<bool> YieldRoom(string forModelPath)
    {
        if (_life.Yielding)
            return true;
        if (!_life.BeginYield())
            return false;
        _yieldingFor = forModelPath;
        LogYielding(logger, RunnerKey, forModelPath, _life.Refs);
        await TellPrimary();
        if (_life.Refs == 0)
            await UnloadYielded();
        else
            await ReportUsage(); // the silo counts the room as coming, and asks no one else for it
        return true;
    }

    /// <summary>The last request of a yielding runner ended: unload; requests that waited meanwhile load it again.</summary>
    private async Task UnloadYielded()
    {
        await UnloadRunner(UnloadReason.DrainedForRoom, $"drained to make room for '{_yieldingFor}'");
        if (_life.Pending == 0)
            await ForgetAndRetire();
    }

    public async Task<bool> Drain()
    {
        if (_life.Refs > 0 || _life.Pending > 0 || _life.Phase is ModelPhase.Loading or ModelPhase.Unloading)
            return false;
        // The request that just ended may still be writing the durable intent (its release
        // interleaves with this call): what this activation holds decides, and is written before it goes.
        var ready = _life.Phase == ModelPhase.Ready;
        // A replica is for load of the moment: it goes with its silo, and its primary starts another if it must.
        var wanted = Key.IsPrimary && (ready ? _life.WantedAfterDrain(clock.GetUtcNow()) : StillWanted());
        if (ready && wanted)
            await Remember(_identity?.Options);
        if (ready)
            await UnloadRunner(UnloadReason.Drained, "its silo is shutting down");
        if (wanted)
        {
            // The durable intent stays: the director places the activation on another silo, where it loads again.
            this.MigrateOnIdle();
            return true;
        }
        await Forget();
        this.DeactivateOnIdle();
        return true;
    }

    public async Task<ModelStatus> GetStatus()
    {
        var status = new ModelStatus
        {
            ModelPath = ModelPath,
            State = StateOf(_life.Phase),
            RefCount = _life.Refs,
            KeepAlive = _life.KeepAlive,
            ExpiresAt = _life.ExpiresAt,
            SiloAddress = SiloAddress,
            Devices = _devices,
            SizeBytes = _runner?.Memory.TotalBytes ?? _estimate?.TotalSize ?? 0,
            VramBytes = _runner?.Memory.VramBytes ?? _estimate?.VramSize ?? 0,
            Options = _identity?.Options,
            Loads = _loads,
            Estimate = _estimate,
            PendingRequests = _life.Pending,
        };
        // Asking about a model that is not loaded must not keep the room its placement claimed.
        if (_life.MayRetire)
            await Retire();
        return status;
    }

    /// <summary>What a request that reaches this activation after it decided to leave is told: follow it.</summary>
    private Exception Leaving()
    {
        var message = $"model '{ModelPath}' is leaving silo {SiloAddress}";
        return new ModelRelocatingException(message);
    }

    private static ModelState StateOf(ModelPhase phase) => phase switch
    {
        ModelPhase.Loading => ModelState.Loading,
        ModelPhase.Ready => ModelState.Ready,
        ModelPhase.Unloading => ModelState.Unloading,
        _ => ModelState.Unloaded,
    };

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static long Nanoseconds(long since) => (long)Stopwatch.GetElapsedTime(since).TotalNanoseconds;
}
