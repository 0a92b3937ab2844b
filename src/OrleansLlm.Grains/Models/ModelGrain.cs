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
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;
using OrleansLlm.Scheduling.Reload;

namespace OrleansLlm.Grains.Models;

/// <summary>
/// One model: its runner (unloaded → loading → ready → unloading), the requests in flight on it,
/// its keep-alive, and the reload rule. Loads never happen in <c>OnActivateAsync</c> (bounded to
/// 30 s by Orleans) but in the first request's stream, which carries heartbeats however long the
/// load takes. A request's reference lives exactly as long as its stream: the stream's
/// <c>finally</c> runs when it completes, fails, is cancelled, or is abandoned by a caller that
/// died (Orleans cancels an abandoned enumerator after about two response timeouts) — the lease.
/// </summary>
[GpuFitPlacement, Immovable, KeepAlive]
internal sealed partial class ModelGrain(
    [PersistentState(ModelGrain.StateName, OllmStorage.Name)] IPersistentState<ModelGrainState> saved,
    ILlmRunnerFactory runners,
    IGpuInventory inventory,
    IOptions<OllmOptions> options,
    TimeProvider clock,
    ILocalSiloDetails localSilo,
    ILogger<ModelGrain> logger) : Grain, IModelGrain, IRemindable
{
    internal const string ReminderName = "keep-alive";
    internal const string StateName = "model";

    /// <summary>How long an unloaded, idle activation lingers before it deactivates.</summary>
    internal static readonly TimeSpan RetireDelay = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _lifetime = new();
    private ModelState _state = ModelState.Unloaded;
    private ILlmRunner? _runner;
    private RunnerIdentity? _identity;
    private IReadOnlyList<GpuInfo> _devices = [];
    private Scheduling.Estimation.MemoryEstimate? _estimate;
    private Task? _loadTask;
    private Task? _unloadTask;
    private TaskCompletionSource _idle = NewSignal();
    private bool _reloadPending;
    private int _refs;
    private int _pending;
    private int _loads;
    private KeepAliveDuration? _keepAlive;
    private DateTimeOffset? _expiresAt;
    private IGrainTimer? _expiry;
    private bool _reminderRegistered;
    private int _openStreams;
    private bool _relocating;
    private IGrainTimer? _retire;

    private string ModelPath => this.GetPrimaryKeyString();

    private string SiloAddress => localSilo.SiloAddress.ToParsableString();

    private IGpuSiloGrain LocalGpus => GrainFactory.GetGrain<IGpuSiloGrain>(SiloAddress);

    private KeepAliveDuration KeepAlive => _keepAlive ?? saved.State.KeepAlive;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _expiry = this.RegisterGrainTimer(static (self, _) => self.OnExpiryTimer(), this,
            new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        _retire = this.RegisterGrainTimer(static (self, _) => self.OnRetireTimer(), this,
            new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = false });
        if (saved.State.WantLoaded)
            _keepAlive = saved.State.KeepAlive;
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
        }
        try
        {
            await LocalGpus.Release(ModelPath);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or ObjectDisposedException)
        {
            // Silo shutdown: the GPU silo grain is going too, and its reservations with it.
        }
        LogDeactivated(logger, ModelPath, reason.Description);
    }

    public async IAsyncEnumerable<GenerationEvent> Generate(GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        _openStreams++;
        try
        {
            var started = Stopwatch.GetTimestamp();
            if (_relocating)
                throw new ModelRelocatingException($"model '{ModelPath}' is leaving silo {SiloAddress}");
            if (request.IsLoadOnly && request.KeepAlive is { UnloadsWhenIdle: true })
            {
                // Ollama's unload request: it never loads a model that is not loaded.
                var retire = await UnloadWhenIdle();
                yield return GenerationEvent.Done("unload", new GenerationStats()) with { SiloAddress = SiloAddress };
                if (retire)
                    await Retire();
                yield break;
            }

            var identity = new RunnerIdentity(options.Value.Admit(request.Runner), request.Adapters, request.Projectors);
            long loadNanoseconds = 0;
            if (!await IsServing(identity))
            {
                yield return GenerationEvent.Queued(_state == ModelState.Loading ? "model is loading" : "model must be loaded") with { SiloAddress = SiloAddress };
                loadNanoseconds = await WaitForRunner(identity, request.KeepAlive, started, cancellationToken);
            }

            await AcquireReference(request.KeepAlive);
            try
            {
                yield return new GenerationEvent(GenerationEventKind.Started, SiloAddress: SiloAddress);
                if (request.IsLoadOnly)
                {
                    yield return GenerationEvent.Done("load", new GenerationStats { LoadDurationNs = loadNanoseconds, TotalDurationNs = Nanoseconds(started) });
                    yield break;
                }
                await foreach (var item in _runner!.GenerateAsync(request, cancellationToken))
                {
                    yield return item.Kind == GenerationEventKind.Done
                        ? item with { Stats = (item.Stats ?? new()) with { LoadDurationNs = loadNanoseconds, TotalDurationNs = Nanoseconds(started) } }
                        : item;
                }
            }
            finally
            {
                await ReleaseReference();
            }
        }
        finally
        {
            _openStreams--;
        }
    }

    public async Task<EmbedResult> Embed(EmbedRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_relocating)
            throw new ModelRelocatingException($"model '{ModelPath}' is leaving silo {SiloAddress}");
        var started = Stopwatch.GetTimestamp();
        var identity = RunnerIdentity.Of(options.Value.Admit(request.Runner));
        var loadNanoseconds = await IsServing(identity) ? 0 : await WaitForRunner(identity, request.KeepAlive, started, cancellationToken);
        await AcquireReference(request.KeepAlive);
        try
        {
            var vectors = request.Inputs.Count == 0 ? [] : await _runner!.EmbedAsync(request.Inputs, request.Truncate, cancellationToken);
            return new EmbedResult(vectors, loadNanoseconds, Nanoseconds(started));
        }
        finally
        {
            await ReleaseReference();
        }
    }

    public async Task<bool> Unload()
    {
        var wasLoaded = _state is ModelState.Ready or ModelState.Loading;
        if (await UnloadWhenIdle())
            await Retire();
        return wasLoaded;
    }

    /// <summary>Keep-alive 0 from now on: unloads now if idle (true: nothing left, retire) or when the last request ends.</summary>
    private async Task<bool> UnloadWhenIdle()
    {
        _keepAlive = KeepAliveDuration.Zero;
        await Forget();
        if (_refs == 0 && _state == ModelState.Ready)
            await UnloadRunner("unload requested");
        return _state == ModelState.Unloaded && _pending == 0;
    }

    public async Task<bool> EvictIfIdle()
    {
        if (_state == ModelState.Unloaded)
            return true;
        if (_state != ModelState.Ready || _refs > 0 || _pending > 0)
            return false;
        await UnloadRunner("evicted to make room");
        await Forget();
        await Retire();
        return true;
    }

    public async Task<ModelStatus> GetStatus()
    {
        var status = new ModelStatus
        {
            ModelPath = ModelPath,
            State = _state,
            RefCount = _refs,
            KeepAlive = KeepAlive,
            ExpiresAt = _refs == 0 ? _expiresAt : null,
            SiloAddress = SiloAddress,
            Devices = _devices,
            SizeBytes = _runner?.Memory.TotalBytes ?? _estimate?.TotalSize ?? 0,
            VramBytes = _runner?.Memory.VramBytes ?? _estimate?.VramSize ?? 0,
            Options = _identity?.Options,
            Loads = _loads,
            Estimate = _estimate,
            PendingRequests = _pending,
        };
        // Asking about a model that is not loaded must not keep the room its placement claimed.
        if (_state == ModelState.Unloaded && _refs == 0 && _pending == 0 && _loadTask is null)
            await Retire();
        return status;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName || _relocating)
            return;
        _reminderRegistered = true;
        var state = saved.State;
        var stillWanted = state.WantLoaded && (state.Pinned || state.KeepAliveUntil > clock.GetUtcNow() || _refs > 0);
        if (!stillWanted)
        {
            await Forget();
            return;
        }
        if (_state == ModelState.Unloaded && _loadTask is null)
        {
            // The host that had it is gone (or it was evicted meanwhile): load it here, in the background.
            LogRestoring(logger, ModelPath, SiloAddress);
            _keepAlive = state.KeepAlive;
            var identity = RunnerIdentity.Of(state.Options ?? options.Value.Admit(RunnerOptions.Default));
            _ = RestoreInBackground(identity);
        }
    }

    private async Task RestoreInBackground(RunnerIdentity identity)
    {
        try
        {
            await EnsureLoaded(identity, null, _lifetime.Token);
            ArmExpiry();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogRestoreFailed(logger, ModelPath, e.Message);
        }
    }

    /// <summary>Waits, counted as pending, until a runner compatible with <paramref name="identity"/> is ready; the wait in nanoseconds.</summary>
    private async Task<long> WaitForRunner(RunnerIdentity identity, KeepAliveDuration? keepAlive, long started, CancellationToken cancellationToken)
    {
        _pending++;
        try
        {
            await EnsureLoaded(identity, keepAlive, cancellationToken);
        }
        finally
        {
            _pending--;
        }
        return Nanoseconds(started);
    }

    private async Task<bool> IsServing(RunnerIdentity identity)
    {
        if (_state != ModelState.Ready || _reloadPending || _runner is null)
            return false;
        var healthy = await _runner.PingAsync(_lifetime.Token);
        return !ReloadRule.NeedsReload(_identity!, identity, healthy);
    }

    private async Task EnsureLoaded(RunnerIdentity identity, KeepAliveDuration? keepAlive, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (_state)
            {
                case ModelState.Ready when !_reloadPending && await IsServing(identity):
                    return;
                case ModelState.Ready:
                    // Reload: drain in-flight requests first (never kill them), new ones wait.
                    _reloadPending = true;
                    try
                    {
                        while (_refs > 0)
                            await _idle.Task.WaitAsync(cancellationToken);
                        if (_state == ModelState.Ready && !await IsServing(identity))
                            await UnloadRunner($"reload: {ReloadRule.Evaluate(_identity!, identity)}");
                    }
                    finally
                    {
                        _reloadPending = false;
                    }
                    break;
                case ModelState.Loading:
                    await _loadTask!.WaitAsync(cancellationToken);
                    break;
                case ModelState.Unloading:
                    await _unloadTask!.WaitAsync(cancellationToken);
                    break;
                default:
                    if (keepAlive is { } requested)
                        _keepAlive = requested;
                    _loadTask = Load(identity);
                    await _loadTask.WaitAsync(cancellationToken);
                    break;
            }
        }
    }

    private async Task Load(RunnerIdentity identity)
    {
        _state = ModelState.Loading;
        var settings = options.Value;
        using var timeout = settings.LoadTimeout > TimeSpan.Zero ? new CancellationTokenSource(settings.LoadTimeout, clock) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _lifetime.Token);
        try
        {
            var ticket = await AcquireRoom(identity.Options, linked.Token);
            _devices = ticket.Devices;
            _estimate = ticket.Estimate;
            var request = new RunnerLoadRequest(ModelPath, identity.Options, settings.NumParallel, ticket.Devices, ticket.Estimate!, identity.Adapters, identity.Projectors);
            var reported = 0;
            var progress = new Progress<float>(fraction =>
            {
                // Every quarter, not every tensor: llama.cpp reports per tensor.
                var quarter = (int)(fraction * 4);
                if (quarter > reported)
                {
                    reported = quarter;
                    LogLoadProgress(logger, ModelPath, quarter * 25);
                }
            });
            var runner = await runners.LoadAsync(request, progress, linked.Token);
            await LocalGpus.LoadCompleted(ModelPath, runner.Memory);
            _runner = runner;
            _identity = identity;
            _state = ModelState.Ready;
            _loads++;
            LogLoaded(logger, ModelPath, SiloAddress, string.Join(",", _devices.Select(d => d.Id)));
            await Remember(identity.Options);
        }
        catch (Exception e)
        {
            _state = ModelState.Unloaded;
            _devices = [];
            await LocalGpus.Release(ModelPath);
            if (e is ModelRelocatingException or ModelTooLargeException)
                throw;
            if (e is OperationCanceledException && timeout.IsCancellationRequested)
                throw new ModelLoadException($"timed out waiting for llama runner to start: model '{ModelPath}' did not load within {settings.LoadTimeout} (OLLAMA_LOAD_TIMEOUT)", e);
            if (e is OperationCanceledException)
                throw;
            LogLoadFailed(logger, ModelPath, e.Message);
            throw new ModelLoadException($"{e.Message}: this model may be incompatible with your version of OrleansLlm", e);
        }
        finally
        {
            _loadTask = null;
        }
    }

    /// <summary>Asks the local GPU silo for room: evicting idle runners it names, waiting while busy ones hold it.</summary>
    private async Task<LoadTicket> AcquireRoom(RunnerOptions admitted, CancellationToken cancellationToken)
    {
        var relocations = RequestContext.Get(ModelRequestContext.RelocationsKey) is int n ? n : 0;
        while (true)
        {
            var ticket = await LocalGpus.AcquireLoad(ModelPath, admitted, relocations);
            switch (ticket.Outcome)
            {
                case LoadOutcome.Granted:
                    return ticket;
                case LoadOutcome.Evict:
                    foreach (var victim in ticket.Victims)
                    {
                        LogEvicting(logger, victim, ModelPath);
                        await GrainFactory.GetGrain<IModelGrain>(victim).EvictIfIdle();
                    }
                    break;
                case LoadOutcome.Wait:
                    LogWaiting(logger, ModelPath, ticket.Reason);
                    await LocalGpus.WaitForChange(ticket.Version, TimeSpan.FromSeconds(5)).WaitAsync(cancellationToken);
                    break;
                case LoadOutcome.Relocate:
                    if (saved.State.WantLoaded && saved.State.Options != admitted)
                    {
                        // A restore elsewhere must load what this load was for (a reload's new options).
                        saved.State.Options = admitted;
                        await saved.WriteStateAsync();
                    }
                    _relocating = true;
                    // Migration, not deactivation: Orleans asks the placement director again and
                    // forwards the requests already queued here to wherever it goes.
                    this.MigrateOnIdle();
                    throw new ModelRelocatingException($"model '{ModelPath}' leaves silo {SiloAddress}: {ticket.Reason}");
                default:
                    throw new ModelTooLargeException($"model '{ModelPath}' cannot be loaded on silo {SiloAddress}: {ticket.Reason}");
            }
        }
    }

    private async Task UnloadRunner(string reason)
    {
        if (_state != ModelState.Ready || _runner is null)
            return;
        _state = ModelState.Unloading;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _unloadTask = done.Task;
        try
        {
            var runner = _runner;
            _runner = null;
            _expiresAt = null;
            _expiry?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            var gpus = _devices.Where(d => !d.IsCpu).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
            var before = inventory.GetGpus().Where(g => gpus.Contains(g.Id)).ToArray();
            await runner.DisposeAsync();
            if (before.Length > 0 && inventory.ReportsLiveFreeMemory)
                await WaitForVramRecovery(before, _estimate?.VramSize ?? 0);
            await LocalGpus.Release(ModelPath);
            LogUnloaded(logger, ModelPath, reason);
        }
        finally
        {
            _state = ModelState.Unloaded;
            _devices = [];
            done.SetResult();
        }
    }

    private async Task WaitForVramRecovery(IReadOnlyList<GpuInfo> before, long estimatedVram)
    {
        var deadline = clock.GetUtcNow() + VramRecovery.Timeout;
        while (clock.GetUtcNow() < deadline)
        {
            if (VramRecovery.HasRecovered(before, inventory.GetGpus(), estimatedVram))
                return;
            await Task.Delay(VramRecovery.PollInterval, clock);
        }
        LogVramNotRecovered(logger, ModelPath);
    }

    private async Task AcquireReference(KeepAliveDuration? keepAlive)
    {
        _refs++;
        if (_refs == 1)
            _idle = NewSignal();
        if (keepAlive is { } requested)
            _keepAlive = requested;
        _expiresAt = null;
        _expiry?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await ReportUsage();
    }

    private async Task ReleaseReference()
    {
        _refs--;
        if (_refs > 0)
        {
            await ReportUsage();
            return;
        }
        _idle.TrySetResult();
        if (KeepAlive.UnloadsWhenIdle && !_reloadPending && _pending == 0)
        {
            await UnloadRunner("keep_alive 0: unloaded when idle");
            await Forget();
            await Retire();
            return;
        }
        ArmExpiry();
        await ReportUsage();
        await Remember(_identity?.Options);
    }

    /// <summary>Starts the idle countdown: exact expiry by grain timer; forever never expires.</summary>
    private void ArmExpiry()
    {
        if (_refs > 0 || _state != ModelState.Ready || KeepAlive.IsForever)
            return;
        _expiresAt = KeepAlive.ExpiresAt(clock);
        var due = KeepAlive.Duration;
        _expiry?.Change(due > TimeSpan.FromDays(49) ? TimeSpan.FromDays(49) : due, Timeout.InfiniteTimeSpan);
    }

    private async Task OnExpiryTimer()
    {
        if (_refs > 0 || _state != ModelState.Ready || _expiresAt is not { } at)
            return;
        if (clock.GetUtcNow() < at)
        {
            _expiry?.Change(at - clock.GetUtcNow(), Timeout.InfiniteTimeSpan);
            return;
        }
        await UnloadRunner("keep-alive expired");
        await Forget();
        await Retire();
    }

    private Task ReportUsage() => LocalGpus.ReportUsage(ModelPath, new RunnerUsage(_refs, KeepAlive, _refs == 0 ? _expiresAt : null));

    /// <summary>Persists that the model should be loaded, and arms the reminder that restores it elsewhere.</summary>
    private async Task Remember(RunnerOptions? runnerOptions)
    {
        var state = saved.State;
        var until = KeepAlive.IsForever ? null : _expiresAt;
        var period = options.Value.KeepAliveReminderPeriod;
        var changed = !state.WantLoaded || state.KeepAlive != KeepAlive || state.Options != runnerOptions
            || (until is { } u && (state.KeepAliveUntil is not { } saved_ || u - saved_ > period / 2));
        if (changed)
        {
            state.WantLoaded = true;
            state.KeepAlive = KeepAlive;
            state.KeepAliveUntil = until;
            state.Options = runnerOptions;
            await saved.WriteStateAsync();
        }
        var worthRestoring = KeepAlive.IsForever || KeepAlive.Duration > period;
        if (worthRestoring && !_reminderRegistered)
        {
            await this.RegisterOrUpdateReminder(ReminderName, period, period);
            _reminderRegistered = true;
        }
    }

    /// <summary>The model should no longer be loaded: clear the durable state and the reminder.</summary>
    private async Task Forget()
    {
        if (saved.State.WantLoaded)
        {
            saved.State.WantLoaded = false;
            saved.State.KeepAliveUntil = null;
            await saved.WriteStateAsync();
        }
        if (await this.GetReminder(ReminderName) is { } reminder)
            await this.UnregisterReminder(reminder);
        _reminderRegistered = false;
    }

    /// <summary>Unloaded and idle: free the activation (and any claim), so the next load is placed afresh.</summary>
    private async Task Retire()
    {
        await LocalGpus.Release(ModelPath);
        // Not at once: a stream that just ended may still have its last reply in flight, and
        // deactivating under it aborts the caller's enumeration.
        _retire?.Change(RetireDelay, Timeout.InfiniteTimeSpan);
    }

    private Task OnRetireTimer()
    {
        if (_state == ModelState.Unloaded && _refs == 0 && _pending == 0 && _openStreams == 0 && _loadTask is null)
            this.DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static long Nanoseconds(long since) => (long)Stopwatch.GetElapsedTime(since).TotalNanoseconds;

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Model} on silo {Silo}, GPUs [{Gpus}]")]
    private static partial void LogLoaded(ILogger logger, string model, string silo, string gpus);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Loading {Model}: {Percent} %")]
    private static partial void LogLoadProgress(ILogger logger, string model, int percent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loading {Model} failed: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded {Model}: {Reason}")]
    private static partial void LogUnloaded(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicting {Victim} to make room for {Model}")]
    private static partial void LogEvicting(ILogger logger, string victim, string model);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Model} waits for room: {Reason}")]
    private static partial void LogWaiting(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GPU memory of {Model} did not recover within 5 s after unload")]
    private static partial void LogVramNotRecovered(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restoring {Model} on silo {Silo} after its host was lost")]
    private static partial void LogRestoring(ILogger logger, string model, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restoring {Model} failed: {Reason}")]
    private static partial void LogRestoreFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deactivated {Model}: {Reason}")]
    private static partial void LogDeactivated(ILogger logger, string model, string reason);
}
