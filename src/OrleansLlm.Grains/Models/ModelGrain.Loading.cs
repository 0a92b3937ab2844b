using System.Diagnostics;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Grains.Cluster;
using OrleansLlm.Grains.Telemetry;
using OrleansLlm.Scheduling.Admission;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Lifecycle;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;
using OrleansLlm.Scheduling.Reload;

namespace OrleansLlm.Grains.Models;

/// <summary>Loading, reloading and unloading the runner, and getting room for it from the GPU silo.</summary>
internal sealed partial class ModelGrain
{
    /// <summary>Waits, counted as pending, until a runner compatible with <paramref name="identity"/> is ready; the wait in nanoseconds.</summary>
    private async Task<long> WaitForRunner(RunnerIdentity identity, KeepAliveDuration? keepAlive, long started, CancellationToken cancellationToken)
    {
        _life.BeginWait();
        try
        {
            await EnsureLoaded(identity, keepAlive, cancellationToken);
        }
        finally
        {
            _life.EndWait();
        }
        return Nanoseconds(started);
    }

    private async Task<bool> IsServing(RunnerIdentity identity)
    {
        if (!_life.IsServing || _runner is null)
            return false;
        var healthy = await _runner.PingAsync(_lifetime.Token);
        return !ReloadRule.NeedsReload(_identity!, identity, healthy);
    }

    private async Task EnsureLoaded(RunnerIdentity identity, KeepAliveDuration? keepAlive, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (_life.Phase)
            {
                case ModelPhase.Ready when !_life.ReloadPending && await IsServing(identity):
                    return;
                case ModelPhase.Ready when _life.Yielding:
                    // Yielding its room to another model: wait for it to unload, then load again
                    // (on this silo the load is sent to the director, which looks for room elsewhere).
                    if (_life.Refs == 0)
                        await UnloadYielded();
                    else
                        await _idle.Task.WaitAsync(cancellationToken);
                    break;
                case ModelPhase.Ready:
                    // Reload: drain in-flight requests first (never kill them), new ones wait.
                    _life.Reloading(true);
                    try
                    {
                        while (_life.Refs > 0)
                            await _idle.Task.WaitAsync(cancellationToken);
                        if (_life.Phase == ModelPhase.Ready && !await IsServing(identity))
                        {
                            // Asked again for the metric's reason: a failed health check is not a change of options.
                            var why = ReloadRule.Evaluate(_identity!, identity, await _runner!.PingAsync(_lifetime.Token));
                            await UnloadRunner(why == ReloadReason.Unhealthy ? UnloadReason.Failed : UnloadReason.Reload, $"reload: {why}");
                        }
                    }
                    finally
                    {
                        _life.Reloading(false);
                    }
                    break;
                case ModelPhase.Loading:
                    await _loadTask!.WaitAsync(cancellationToken);
                    break;
                case ModelPhase.Unloading:
                    await _unloadTask!.WaitAsync(cancellationToken);
                    break;
                case ModelPhase.Leaving:
                    throw Leaving();
                default:
                    if (keepAlive is { } requested)
                        _life.KeepFor(requested);
                    _loadTask = Load(identity);
                    await _loadTask.WaitAsync(cancellationToken);
                    break;
            }
        }
    }

    private async Task Load(RunnerIdentity identity)
    {
        var generation = ++_loadGeneration;
        try
        {
            await LoadRunner(identity);
        }
        finally
        {
            // A failed load awaits its release while a new request may already have started the
            // next load: only this load's own task is cleared.
            if (_loadGeneration == generation)
            {
                _loadTask = null;
                _life.LoadEnded();
            }
        }
        // Every caller may have left while it loaded (cancelled, disconnected, refused): as in the
        // seed, such a load starts its countdown at once (keep-alive 0 unloads it).
        if (_life.IsIdle)
            await BecomeIdle();
    }

    private async Task LoadRunner(RunnerIdentity identity)
    {
        _life.BeginLoad();
        var started = clock.GetTimestamp();
        using var span = OrleansLlmTracing.Source.StartActivity("ollm.model.load");
        span?.SetTag("ollm.model", ModelPath);
        span?.SetTag("ollm.silo", SiloAddress);
        var settings = options.Value;
        ILlmRunner? loaded = null;
        LoadWatchdog? watchdog = null;
        try
        {
            // Waiting for room is not loading: OLLAMA_LOAD_TIMEOUT starts with the runner's load.
            var ticket = await AcquireRoom(identity.Options, _lifetime.Token);
            _devices = ticket.Devices;
            _estimate = ticket.Estimate;
            span?.SetTag("ollm.gpus", string.Join(",", ticket.Devices.Select(d => d.Id)));
            span?.SetTag("ollm.estimate.bytes", ticket.Estimate?.TotalSize);
            var request = new RunnerLoadRequest(ModelPath, identity.Options, settings.NumParallel, ticket.Devices, ticket.Estimate!, identity.Adapters, identity.Projectors);
            watchdog = new LoadWatchdog(settings.LoadTimeout, clock, percent => LogLoadProgress(logger, ModelPath, percent));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(watchdog.Token, _lifetime.Token);
            var runner = loaded = await runners.LoadAsync(request, watchdog, linked.Token);
            await LocalGpus.LoadCompleted(RunnerKey, runner.Memory);
            _runner = runner;
            _identity = identity;
            _life.Loaded();
            _loads++;
            _loadedAt = clock.GetTimestamp();
            metrics.RecordLoad(ModelPath, SiloAddress, clock.GetElapsedTime(started));
            LogLoaded(logger, ModelPath, SiloAddress, string.Join(",", _devices.Select(d => d.Id)));
            await Remember(identity.Options);
        }
        catch (Exception e)
        {
            _life.LoadFailed();
            _devices = [];
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            if (loaded is not null)
            {
                // Loaded, then something after failed (the GPU silo, storage): the memory must not
                // outlive the reservation released below.
                _runner = null;
                _identity = null;
                await loaded.DisposeAsync();
            }
            await LocalGpus.Release(RunnerKey, $"load ended without a runner: {e.GetType().Name}");
            if (e is ModelRelocatingException or ModelTooLargeException or NoRoomForReplicaException)
                throw;
            if (e is OperationCanceledException && watchdog is { Stalled: true })
                throw new ModelLoadException($"timed out waiting for llama runner to start - progress {watchdog.Progress:0.00}: model '{ModelPath}' made no progress for {settings.LoadTimeout} (OLLAMA_LOAD_TIMEOUT)", e);
            if (e is OperationCanceledException)
                throw;
            LogLoadFailed(logger, ModelPath, e.Message);
            throw new ModelLoadException($"{e.Message}: this model may be incompatible with your version of OrleansLlm", e);
        }
        finally
        {
            watchdog?.Dispose();
        }
    }

    /// <summary>Asks the local GPU silo for room: evicting idle runners it names, waiting while busy ones hold it.</summary>
    private async Task<LoadTicket> AcquireRoom(RunnerOptions admitted, CancellationToken cancellationToken)
    {
        var relocations = ModelRequestContext.Relocations;
        var lookAgainAt = clock.GetUtcNow() + options.Value.RePlaceWaitingLoadAfter;
        // From the first answer that is not a grant until the grant (or the end): how long the load
        // waited for room, and each reason the silo gave.
        using var waiting = new RoomWait();
        while (true)
        {
            var ticket = await LocalGpus.AcquireLoad(RunnerKey, admitted, relocations, _life.Pending);
            waiting.Answered(ticket);
            if (!Key.IsPrimary && ticket.Verdict is not (AdmissionVerdict.Grant or AdmissionVerdict.Evict))
            {
                // A replica is placed only where it loads at once (ReplicaPlacement); if the silo
                // changed since, it neither waits, drains busy models nor moves: it is not started.
                throw new NoRoomForReplicaException($"replica {Key.Replica} of model '{ModelPath}' has no room on silo {SiloAddress} now: {ticket.Reason}");
            }
            switch (ticket.Verdict)
            {
                case AdmissionVerdict.Grant:
                    return ticket;
                case AdmissionVerdict.Evict:
                    var evicted = true;
                    foreach (var victim in ticket.Victims)
                    {
                        LogEvicting(logger, victim, RunnerKey);
                        evicted &= await GrainFactory.GetGrain<IModelGrain>(victim).EvictIfIdle();
                    }
                    // A victim that became busy meanwhile keeps its room: ask again when the silo
                    // changes (a request ends, a model unloads), not at once and not in a loop.
                    if (!evicted)
                        await LocalGpus.WaitForChange(ticket.Version, options.Value.LoadWaitPoll).WaitAsync(cancellationToken);
                    break;
                case AdmissionVerdict.DrainBusy:
                    // Waited past the bound behind busy models: they finish what is in flight and go.
                    foreach (var victim in ticket.Victims)
                    {
                        LogDrainingForRoom(logger, victim, RunnerKey, ticket.Reason);
                        await GrainFactory.GetGrain<IModelGrain>(victim).YieldRoom(RunnerKey);
                    }
                    await LocalGpus.WaitForChange(ticket.Version, options.Value.LoadWaitPoll).WaitAsync(cancellationToken);
                    break;
                case AdmissionVerdict.Wait:
                    LogWaiting(logger, ModelPath, ticket.Reason);
                    if (clock.GetUtcNow() >= lookAgainAt && relocations < ModelClient.MaxRelocations)
                    {
                        // Busy models hold the room here and may stay busy for long: if another
                        // silo has room now (or idle models to evict), move there instead.
                        lookAgainAt = clock.GetUtcNow() + options.Value.RePlaceWaitingLoadAfter;
                        // Load's catch releases this silo's queue place as for any relocation.
                        if (await RoomElsewhere(admitted) is { } elsewhere)
                            await Relocate(admitted, $"waited for busy models; {elsewhere}");
                    }
                    var untilLookAgain = lookAgainAt - clock.GetUtcNow();
                    var wait = untilLookAgain < options.Value.LoadWaitPoll && untilLookAgain > TimeSpan.Zero ? untilLookAgain : options.Value.LoadWaitPoll;
                    await LocalGpus.WaitForChange(ticket.Version, wait).WaitAsync(cancellationToken);
                    break;
                case AdmissionVerdict.Relocate:
                    await Relocate(admitted, ticket.Reason);
                    break;
                default:
                    throw new ModelTooLargeException($"model '{ModelPath}' cannot be loaded on silo {SiloAddress}: {ticket.Reason}");
            }
        }
    }

    /// <summary>Leaves this silo: the director places the model again; the requests waiting here follow it.</summary>
    private async Task Relocate(RunnerOptions admitted, string reason)
    {
        if (saved.State.WantLoaded && saved.State.Options != admitted)
        {
            // A restore elsewhere must load what this load was for (a reload's new options).
            saved.State.Options = admitted;
            await saved.WriteStateAsync();
        }
        _life.Leave();
        // Migration, not deactivation: Orleans asks the placement director again and
        // forwards the requests already queued here to wherever it goes.
        this.MigrateOnIdle();
        var message = $"model '{ModelPath}' leaves silo {SiloAddress}: {reason}";
        throw new ModelRelocatingException(message);
    }

    /// <summary>Another active silo where the model fits now or after evicting idle models, as the director would rank it; null if none beats waiting here.</summary>
    private async Task<string?> RoomElsewhere(RunnerOptions admitted)
    {
        var silos = ClusterViewGrain.ActiveSilos(membership).Where(s => !s.Equals(localSilo.SiloAddress)).ToArray();
        if (silos.Length == 0)
            return null;
        var snapshots = await gpuSilos.Snapshots(silos);
        var hosts = snapshots.Select(s => (s.SiloAddress, s.Host, s.QueuedLoads)).ToArray();
        var best = ClusterPlacement.Rank(files.Header(ModelPath), admitted, hosts, options.Value.SchedulerSettings, clock.GetUtcNow())
            .FirstOrDefault(c => c.Kind is HostChoiceKind.FitsNow or HostChoiceKind.AfterEviction);
        return best is null ? null : $"silo {best.Host} has room ({best.Reason})";
    }

    private async Task UnloadRunner(UnloadReason why, string reason)
    {
        // Never under a request in flight (one may have taken the runner while a reload pinged it).
        if (_life.Phase != ModelPhase.Ready || _life.Refs > 0 || _runner is null)
            return;
        _life.BeginUnload();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _unloadTask = done.Task;
        try
        {
            // After the unload task is set: a call interleaved during this report (an eviction)
            // waits for the unload like any other.
            await TellPrimary();
            var runner = _runner;
            _runner = null;
            _expiry?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            var gpus = _devices.Where(d => !d.IsCpu).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
            var before = inventory.GetGpus().Where(g => gpus.Contains(g.Id)).ToArray();
            try
            {
                await runner.DisposeAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The runner is gone either way; its memory is for the VRAM wait below to see.
                LogDisposeFailed(logger, ModelPath, e.Message);
            }
            if (before.Length > 0 && inventory.ReportsLiveFreeMemory)
                await WaitForVramRecovery(before, _estimate?.VramSize ?? 0);
            LogUnloaded(logger, ModelPath, reason);
            metrics.RecordUnload(ModelPath, SiloAddress, why, clock.GetElapsedTime(_loadedAt));
        }
        finally
        {
            // Whatever happened above, the reservation goes: a phantom one would hold the room forever.
            try
            {
                await LocalGpus.Release(RunnerKey, reason);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                LogReleaseFailed(logger, ModelPath, e.Message);
            }
            _life.Unloaded();
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
}
