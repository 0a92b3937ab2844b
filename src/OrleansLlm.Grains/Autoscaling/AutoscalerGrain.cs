using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLlm.Abstractions.Autoscaling;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Gguf.Files;
using OrleansLlm.Grains.Cluster;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Grains.Models;
using OrleansLlm.Scheduling.Autoscaling;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Replicas;

namespace OrleansLlm.Grains.Autoscaling;

/// <summary>
/// The cluster's autoscaler: each tick (and at once when a request reports a model no running
/// host takes) it reads the provider's pool, Orleans membership and each GPU silo's snapshot,
/// asks <see cref="Autoscaler.Decide"/>, logs every decision with its reason, and — in mode
/// <c>on</c> — starts and stops hosts through the <see cref="IGpuHostProvider"/>. It lives only on
/// control silos (<c>OLLM_ROLE=control</c>), never on a GPU host it might stop.
/// </summary>
[GrainType("autoscaler")]
internal sealed partial class AutoscalerGrain(
    [PersistentState("autoscaler", OrleansLlmStorage.Name)] IPersistentState<AutoscalerGrainState> saved,
    IGpuHostProvider provider,
    AutoscalerOptions options,
    IOptions<OrleansLlmOptions> ollm,
    ModelFileCache files,
    AutoscalerMetrics metrics,
    AutoscalerJournal journal,
    TimeProvider clock,
    IClusterMembershipService membership,
    ILogger<AutoscalerGrain> logger) : Grain, IAutoscalerGrain
{
    /// <summary>A waiting request reports again every second: demand not reported for this long is gone.</summary>
    private static readonly TimeSpan DemandLifetime = TimeSpan.FromSeconds(10);

    /// <summary>Reports closer together than this share one decision.</summary>
    private static readonly TimeSpan ReportDebounce = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan SiloAnswerTimeout = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, Demand> _demand = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Host, string Model), DateTimeOffset> _queuedSince = [];
    private readonly Dictionary<(string Model, RunnerOptions Options), (long Bytes, IReadOnlyList<string> FitsOn)> _sizes = [];
    private readonly HashSet<string> _advised = new(StringComparer.Ordinal);
    private IReadOnlyList<FleetHost> _fleet = [];
    private IReadOnlyList<ProvidedHost> _provided = [];
    private ScaleDecision _last = ScaleDecision.None(0);
    private DateTimeOffset _lastTick = DateTimeOffset.MinValue;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        LogActive(logger, options.Mode, provider.Name, string.Join(", ", provider.HostTypes.Select(t => t.Name)), RuntimeIdentity);
        this.RegisterGrainTimer(static (self, _) => self.Tick(), this,
            new GrainTimerCreationOptions(TimeSpan.Zero, options.Tick) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public async Task<HostWaitAnswer> ReportUnplaceable(string modelPath, RunnerOptions requested)
    {
        var now = clock.GetUtcNow();
        var (bytes, fitsOn) = Size(modelPath, requested);
        if (fitsOn.Count == 0)
            return new(HostWaitVerdict.NoHostHoldsIt, ReadyHosts);
        journal.LastDemand = now;
        _demand[modelPath] = _demand.TryGetValue(modelPath, out var known)
            ? known with { LastReported = now, Bytes = Math.Max(known.Bytes, bytes) }
            : new Demand(bytes, fitsOn, now, now);
        if (now - _lastTick >= ReportDebounce)
            await Tick();
        return new(options.Mode == AutoscalerMode.On ? HostWaitVerdict.Wait : HostWaitVerdict.NotScaling, ReadyHosts);
    }

    private int ReadyHosts => _fleet.Count(h => h.State == HostState.Ready);

    public Task<AutoscalerStatus> GetStatus() => Task.FromResult(new AutoscalerStatus
    {
        Mode = options.Mode.ToString().ToLowerInvariant(),
        Provider = provider.Name,
        Running = _last.Running,
        Desired = _last.Desired,
        Hosts = [.. _fleet.Select(h => new FleetHostStatus(h.Id, h.Type, h.State.ToString(),
            _provided.FirstOrDefault(p => p.Id == h.Id)?.SiloEndpoint ?? "", h.State == HostState.Stopped ? h.StoppedAt : h.StartedAt))],
        Decisions = journal.Decisions,
        Unmet = _last.Unmet,
        Starts = journal.Starts,
        Stops = journal.Stops,
        FailedStarts = journal.FailedStarts,
        Silo = RuntimeIdentity,
    });

    private async Task Tick()
    {
        var now = clock.GetUtcNow();
        _lastTick = now;
        IReadOnlyList<ProvidedHost> provided;
        try
        {
            provided = await provider.ListAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogProviderFailed(logger, provider.Name, e.Message);
            return; // decide nothing on a view we do not have
        }
        var silos = ActiveSilos();
        var snapshots = await Task.WhenAll(provided.Select(p => silos.TryGetValue(p.SiloEndpoint, out var silo) ? Snapshot(silo) : Task.FromResult<SiloSnapshot?>(null)));
        var changed = false;
        var fleet = new List<FleetHost>();
        for (var i = 0; i < provided.Count; i++)
            fleet.Add(Reconcile(provided[i], snapshots[i], now, ref changed));
        _provided = provided;
        _fleet = fleet;

        var view = new FleetView(fleet, provider.HostTypes, CurrentDemand(provided, snapshots, now),
            saved.State.BackedOffUntil.ToDictionary(b => b.Key, b => new TypeBackoff(saved.State.Failures.GetValueOrDefault(b.Key), b.Value)),
            saved.State.LastScaleOut,
            journal.LastDemand);
        _last = Autoscaler.Decide(view, options.Settings, now);
        metrics.Hosts(_last.Running, _last.Desired);
        foreach (var action in _last.Actions)
            changed |= await CarryOut(action, now);
        if (changed)
            await Save();
    }

    /// <summary>One host as the provider, membership and its silo say together; records what changed.</summary>
    private FleetHost Reconcile(ProvidedHost host, SiloSnapshot? snapshot, DateTimeOffset now, ref bool changed)
    {
        var state = saved.State;
        var started = state.Starting.TryGetValue(host.Id, out var asked) ? asked : (DateTimeOffset?)null;
        var basic = new FleetHost
        {
            Id = host.Id, Type = host.Type, State = HostState.Stopped,
            StoppedAt = state.Stopped.TryGetValue(host.Id, out var stoppedAt) ? stoppedAt : null,
        };
        switch (host.Status)
        {
            case ProvidedHostStatus.Failed when started is not null:
                // The provider gave up on a start we asked for (quota, a crash at boot): back the type off now.
                changed |= FailStart(host.Id, host.Type, now, "the provider reports the start failed");
                return basic;
            case ProvidedHostStatus.Stopped or ProvidedHostStatus.Failed when started is not null:
                // Asked to start and not yet seen starting (a provider's list can lag its accepted start).
                return basic with { State = HostState.Starting, StartedAt = started, FreeBytes = TypeMemory(host.Type), Promised = PromisedTo(host.Id) };
            case ProvidedHostStatus.Stopped or ProvidedHostStatus.Failed:
                if (state.Stopping.Remove(host.Id) | state.Started.Remove(host.Id))
                {
                    state.Stopped[host.Id] = now;
                    changed = true;
                }
                journal.IdleSince.TryRemove(host.Id, out _);
                return basic with { StoppedAt = state.Stopped.TryGetValue(host.Id, out var at) ? at : null };
            case ProvidedHostStatus.Stopping:
                return basic with { State = HostState.Stopping, StartedAt = state.Started.GetValueOrDefault(host.Id) };
        }
        if (state.Stopping.ContainsKey(host.Id) || snapshot is { Draining: true })
            return basic with { State = HostState.Stopping, StartedAt = state.Started.GetValueOrDefault(host.Id) };
        if (!state.Started.ContainsKey(host.Id))
        {
            state.Started[host.Id] = started ?? now; // a host running that we did not start (a restart of ours, a manual start)
            changed = true;
        }
        if (snapshot is null)
            return basic with { State = HostState.Starting, StartedAt = state.Started[host.Id], FreeBytes = TypeMemory(host.Type), Promised = PromisedTo(host.Id) };

        state.Promised.Remove(host.Id);
        if (state.Starting.Remove(host.Id))
        {
            LogReady(logger, host.Id, host.Type, now - state.Started[host.Id]);
            changed = true;
        }
        if (state.Failures.Remove(host.Type) | state.BackedOffUntil.Remove(host.Type))
            changed = true;
        var runners = snapshot.Host.Runners;
        var inFlight = runners.Sum(r => r.RefCount);
        if (inFlight > 0 || snapshot.QueuedLoads > 0 || runners.Any(r => r.Loading))
            journal.IdleSince.TryRemove(host.Id, out _);
        else
            journal.IdleSince.TryAdd(host.Id, now);
        return basic with
        {
            State = HostState.Ready,
            StartedAt = state.Started[host.Id],
            FreeBytes = Math.Max(0, snapshot.Host.Gpus.Sum(g => g.TotalMemory) - runners.Sum(r => r.VramBytes)),
            InFlight = inFlight,
            QueuedLoads = snapshot.QueuedLoads,
            IdleSince = journal.IdleSince.TryGetValue(host.Id, out var idle) ? idle : null,
            // A replica is not wanted after its host goes: its primary starts another if load asks for it.
            Wanted = [.. runners.Where(r => (r.KeepAlive.IsForever || r.ExpiresAt > now) && ModelKey.Parse(r.ModelPath).IsPrimary).Select(r => new WantedModel(r.ModelPath, r.VramBytes))],
        };
    }

    private IReadOnlyList<WantedModel> PromisedTo(string hostId) =>
        saved.State.Promised.TryGetValue(hostId, out var models) ? [.. models.Select(m => new WantedModel(m.Key, m.Value))] : [];

    /// <summary>Models reported by requests that found no host, and loads waiting for room past the budget.</summary>
    private List<UnplaceableLoad> CurrentDemand(IReadOnlyList<ProvidedHost> provided, SiloSnapshot?[] snapshots, DateTimeOffset now)
    {
        // A model loading or loaded somewhere has its room (its reservation is counted in that host's free memory).
        var placed = snapshots.OfType<SiloSnapshot>().SelectMany(s => s.Host.Runners.Select(r => r.ModelPath)).ToHashSet(StringComparer.Ordinal);
        foreach (var model in _demand.Where(d => now - d.Value.LastReported > DemandLifetime || placed.Contains(d.Key)).Select(d => d.Key).ToArray())
            _demand.Remove(model);
        var demand = _demand.Select(d => new UnplaceableLoad(d.Key, d.Value.Bytes, d.Value.FitsOn, d.Value.Since)).ToList();

        var queued = new HashSet<(string, string)>();
        for (var i = 0; i < provided.Count; i++)
        {
            foreach (var model in snapshots[i]?.QueuedModels ?? [])
            {
                queued.Add((provided[i].Id, model));
                var since = _queuedSince.TryGetValue((provided[i].Id, model), out var s) ? s : _queuedSince[(provided[i].Id, model)] = now;
                if (now - since >= options.Settings.WaitBudget && demand.All(d => d.Model != model))
                {
                    // Its runner options are the silo's business; the default ones size it closely enough to pick a host.
                    var (bytes, fitsOn) = Size(model, RunnerOptions.Default);
                    demand.Add(new UnplaceableLoad(model, bytes, fitsOn, since));
                    journal.LastDemand = now;
                }
            }
        }
        foreach (var gone in _queuedSince.Keys.Where(k => !queued.Contains(k)).ToArray())
            _queuedSince.Remove(gone);
        return demand;
    }

    private async Task<bool> CarryOut(ScaleAction action, DateTimeOffset now)
    {
        var name = action switch { StartHost => "start", StopHost => "stop", _ => "give up" };
        if (options.Mode != AutoscalerMode.On)
        {
            // Advisory: each piece of advice logged once, not at every tick.
            if (_advised.Add($"{name}/{action.HostId}/{action.Reason}"))
            {
                journal.Record(new ScaleEvent(now, name, action.HostId, action.Reason, Carried: false));
                LogAdvice(logger, name, action.HostId, action.Reason);
                return true;
            }
            return false;
        }
        var state = saved.State;
        try
        {
            switch (action)
            {
                case StartHost start:
                    await provider.StartAsync(start.HostId, CancellationToken.None);
                    state.Starting[start.HostId] = now;
                    state.Promised[start.HostId] = start.For.ToDictionary(m => m.Model, m => m.Bytes, StringComparer.Ordinal);
                    state.Started[start.HostId] = now;
                    state.LastScaleOut = now;
                    journal.Started();
                    metrics.Starts.Add(1, new KeyValuePair<string, object?>("host.type", start.HostType));
                    break;
                case StopHost stop:
                    await provider.StopAsync(stop.HostId, CancellationToken.None);
                    state.Stopping[stop.HostId] = now;
                    journal.Stopped();
                    metrics.Stops.Add(1);
                    break;
                case GiveUpHost giveUp:
                    FailStart(giveUp.HostId, giveUp.HostType, now, giveUp.Reason, giveUp.RetryAfter);
                    await provider.StopAsync(giveUp.HostId, CancellationToken.None);
                    state.Stopping[giveUp.HostId] = now;
                    break;
            }
            journal.Record(new ScaleEvent(now, name, action.HostId, action.Reason, Carried: true));
            LogDecision(logger, name, action.HostId, action.Reason);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            journal.Record(new ScaleEvent(now, name, action.HostId, $"{action.Reason}; failed: {e.Message}", Carried: false));
            LogActionFailed(logger, name, action.HostId, e.Message);
            if (action is StartHost refused)
                FailStart(refused.HostId, refused.HostType, now, e.Message);
        }
        return true;
    }

    /// <summary>A start that failed: the type is backed off (doubling, jittered) and the host forgotten as starting.</summary>
    private bool FailStart(string hostId, string type, DateTimeOffset now, string reason, DateTimeOffset? until = null)
    {
        var state = saved.State;
        var failures = state.Failures[type] = state.Failures.GetValueOrDefault(type) + 1;
        state.BackedOffUntil[type] = until ?? now + Autoscaler.BackoffFor(hostId, failures, options.Settings);
        state.Starting.Remove(hostId);
        state.Promised.Remove(hostId);
        state.Started.Remove(hostId);
        journal.FailedStart();
        metrics.FailedStarts.Add(1, new KeyValuePair<string, object?>("host.type", type));
        LogStartFailed(logger, hostId, type, reason, state.BackedOffUntil[type]);
        return true;
    }

    private (long Bytes, IReadOnlyList<string> FitsOn) Size(string modelPath, RunnerOptions requested)
    {
        var admitted = ollm.Value.Admit(requested);
        if (!_sizes.TryGetValue((modelPath, admitted), out var size))
        {
            try
            {
                size = new HostTypeFit(files, ollm.Value.SchedulerSettings).Of(modelPath, admitted, provider.HostTypes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Gguf.GgufFormatException)
            {
                size = (0, []); // a model we cannot read is the request's error, not the fleet's
            }
            _sizes[(modelPath, admitted)] = size;
        }
        return size;
    }

    private long TypeMemory(string type) => provider.HostTypes.FirstOrDefault(t => t.Name == type)?.TotalMemory ?? 0;

    /// <summary>This silo's membership view, from memory (see <see cref="ClusterViewGrain"/>): a tick never waits on the table.</summary>
    private Dictionary<string, SiloAddress> ActiveSilos() =>
        ClusterViewGrain.ActiveSilos(membership).ToDictionary(s => s.Endpoint.ToString(), s => s, StringComparer.Ordinal);

    private async Task<SiloSnapshot?> Snapshot(SiloAddress silo)
    {
        try
        {
            return await GrainFactory.GetGrain<IGpuSiloGrain>(silo.ToParsableString()).GetSnapshot().WaitAsync(SiloAnswerTimeout);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            return null; // not answering yet (joining) or any more (leaving)
        }
    }

    private async Task Save()
    {
        try
        {
            await saved.WriteStateAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Kept in memory and written at the next change; a restart before then reconciles from the provider's list.
            LogSaveFailed(logger, e.Message);
        }
    }

    private sealed record Demand(long Bytes, IReadOnlyList<string> FitsOn, DateTimeOffset Since, DateTimeOffset LastReported);

    [LoggerMessage(Level = LogLevel.Information, Message = "Autoscaler {Mode} with provider {Provider} (host types: {Types}) on {Silo}")]
    private static partial void LogActive(ILogger logger, AutoscalerMode mode, string provider, string types, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Autoscaler: {Action} {Host}: {Reason}")]
    private static partial void LogDecision(ILogger logger, string action, string host, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Autoscaler (advisory, not carried out): {Action} {Host}: {Reason}")]
    private static partial void LogAdvice(ILogger logger, string action, string host, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Autoscaler: host {Host} ({Type}) ready {Elapsed} after its start")]
    private static partial void LogReady(ILogger logger, string host, string type, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Autoscaler: {Action} {Host} failed: {Reason}")]
    private static partial void LogActionFailed(ILogger logger, string action, string host, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Autoscaler: start of {Host} ({Type}) failed ({Reason}); no {Type} start before {Until}")]
    private static partial void LogStartFailed(ILogger logger, string host, string type, string reason, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Autoscaler: provider {Provider} did not list its hosts: {Reason}")]
    private static partial void LogProviderFailed(ILogger logger, string provider, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Autoscaler: its state was not saved: {Reason}")]
    private static partial void LogSaveFailed(ILogger logger, string reason);
}
