using System.Runtime.CompilerServices;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Lifecycle;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Reload;
using OrleansLlm.Scheduling.Replicas;

namespace OrleansLlm.Grains.Models;

/// <summary>
/// Replicas of a hot model (README "Replicas"): its primary routes each request to the runner with
/// the most free slots and starts another runner when all have been full for a while; a replica
/// tells the primary whenever it changes, and serves only what the primary sends it.
/// </summary>
internal sealed partial class ModelGrain
{
    /// <summary>On the primary: its replicas as they last reported, plus the requests sent to each since.</summary>
    private readonly Dictionary<int, ReplicaView> _replicas = [];

    /// <summary>On the primary: since when every runner has had all its slots taken (null: not now).</summary>
    private DateTimeOffset? _saturatedSince;

    /// <summary>
    /// On the primary: the key of the replica that takes a request, or null if this runner takes it
    /// (it is the one with the most free slots, or none is ready). A request with adapters or
    /// projectors stays here: replicas load the model alone. A request with <c>keep_alive: 0</c>
    /// unloads the model's other runners when idle, as it would unload the one runner of the seed.
    /// </summary>
    private string? Route(RunnerIdentity identity, KeepAliveDuration? keepAlive)
    {
        if (!Key.IsPrimary || _life.IsLeaving || identity.Adapters.Count > 0 || identity.Projectors.Count > 0)
            return null;
        var slots = options.Value.NumParallel;
        var runners = Runners();
        // The replica this request could not reach (a lost host membership has not declared dead yet): not for this request.
        if (ModelRequestContext.AvoidRunner is { } avoid && ModelKey.Parse(avoid) is { IsPrimary: false } unreachable && unreachable.Path == ModelPath)
            runners = [.. runners.Select(r => r.Index == unreachable.Replica ? r with { Ready = false } : r)];
        ConsiderReplica(runners, identity, slots);
        var chosen = ReplicaRouting.Choose(runners, identity.Options, slots);
        if (keepAlive is { UnloadsWhenIdle: true })
            UnloadReplicas(except: chosen);
        if (chosen == 0)
            return null;
        var view = _replicas[chosen];
        _replicas[chosen] = view with { InFlight = view.InFlight + 1 };
        return new ModelKey(ModelPath, chosen).ToString();
    }

    /// <summary>This runner (index 0) and the replicas, as routing sees them.</summary>
    private List<ReplicaView> Runners()
    {
        ForgetLostReplicas();
        return [new ReplicaView(0, _life.IsServing && _runner is not null, _life.Refs, _identity?.Options), .. _replicas.Values];
    }

    /// <summary>
    /// A replica whose silo membership declared dead never reports that it went: forget it, or
    /// requests would keep being sent to it.
    /// </summary>
    private void ForgetLostReplicas()
    {
        // On every request to the primary: a model with one runner (the common case) pays nothing.
        if (_replicas.Count == 0)
            return;
        foreach (var replica in _replicas.Values.ToArray())
        {
            if (replica.Silo is not { } silo || membership.CurrentSnapshot.GetSiloStatus(Orleans.Runtime.SiloAddress.FromParsableString(silo)) != SiloStatus.Dead)
                continue;
            _replicas.Remove(replica.Index);
            LogReplicaLost(logger, new ModelKey(ModelPath, replica.Index).ToString(), silo);
        }
    }

    /// <summary>Starts another runner when all have been full for <c>OLLM_REPLICA_AFTER</c> (see <see cref="ReplicaRule"/>).</summary>
    private void ConsiderReplica(List<ReplicaView> runners, RunnerIdentity identity, int slots)
    {
        var now = clock.GetUtcNow();
        if (!ReplicaRule.Saturated(runners, identity.Options, slots))
        {
            _saturatedSince = null;
            return;
        }
        _saturatedSince ??= now;
        if (!ReplicaRule.ShouldAdd(runners, _saturatedSince, now, options.Value.ReplicaSettings))
            return;
        var index = ReplicaRule.NextIndex(runners);
        var starting = new ReplicaView(index, false, 0, identity.Options, Starting: true);
        _replicas[index] = starting;
        runners.Add(starting);
        // The next one only after another full period: this one needs time to load.
        _saturatedSince = null;
        // The request's own options, as the caller sent them: the director and the replica admit them as for any request.
        _ = StartReplica(index, ModelRequestContext.RunnerOptions);
    }

    private async Task StartReplica(int index, RunnerOptions requested)
    {
        var key = new ModelKey(ModelPath, index).ToString();
        try
        {
            // The director places the replica for these options, where no other runner of the model is.
            ModelRequestContext.Set(requested, 0);
            var silo = await GrainFactory.GetGrain<IModelGrain>(key).StartReplica(_life.KeepAlive);
            if (_replicas.TryGetValue(index, out var placed))
                _replicas[index] = placed with { Silo = silo };
            LogReplicaStarting(logger, key, silo, _life.Refs);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (_replicas.TryGetValue(index, out var view) && view.Starting)
                _replicas.Remove(index);
            LogReplicaNotStarted(logger, key, e.Message);
        }
    }

    public Task<string> StartReplica(KeepAliveDuration keepAlive)
    {
        if (Key.IsPrimary)
            throw new InvalidOperationException($"'{RunnerKey}' is a model's primary, not a replica");
        if (_life.Phase != ModelPhase.Unloaded || _life.LoadInFlight || _life.IsLeaving)
            return Task.FromResult(SiloAddress); // started already
        _life.KeepFor(KeepAliveOf(keepAlive));
        var identity = RunnerIdentity.Of(options.Value.Admit(ModelRequestContext.RunnerOptions));
        _ = LoadReplica(identity);
        return Task.FromResult(SiloAddress);
    }

    private async Task LoadReplica(RunnerIdentity identity)
    {
        try
        {
            await EnsureLoaded(identity, null, _lifetime.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogReplicaLoadFailed(logger, RunnerKey, e.Message);
        }
        await TellPrimary();
        if (_life.MayRetire)
            await Retire();
    }

    public async Task ReplicaChanged(ReplicaReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!Key.IsPrimary)
            return;
        if (report.Gone)
            _replicas.Remove(report.Replica);
        else
            _replicas[report.Replica] = new ReplicaView(report.Replica, report.Ready, report.InFlight, report.Options, report.Loading, report.SiloAddress);
        // The last replica went: an unloaded primary may go too.
        if (_replicas.Count == 0 && _life.MayRetire)
            await Retire();
    }

    /// <summary>On a replica: tells the primary how it is now. Advisory, like the silo's usage report: the next report corrects a lost one.</summary>
    private async Task TellPrimary(bool gone = false)
    {
        if (Key.IsPrimary)
            return;
        var report = new ReplicaReport(Key.Replica, SiloAddress, !gone && _life.IsServing && _runner is not null, !gone && _life.Phase == ModelPhase.Loading,
            _life.Refs, _identity?.Options, gone);
        try
        {
            await GrainFactory.GetGrain<IModelGrain>(ModelPath).ReplicaChanged(report);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogReplicaReportFailed(logger, RunnerKey, e.Message);
        }
    }

    /// <summary>On the primary: <c>keep_alive: 0</c> or an unload request applies to every runner of the model (each unloads when its last request ends).</summary>
    private void UnloadReplicas(int? except)
    {
        if (!Key.IsPrimary)
            return;
        foreach (var index in _replicas.Keys.Where(i => i != except).ToArray())
            _ = UnloadReplica(new ModelKey(ModelPath, index).ToString());
        if (except is > 0 && _life.Phase is ModelPhase.Ready or ModelPhase.Loading)
            _ = UnloadThisWhenIdle();

        async Task UnloadThisWhenIdle()
        {
            if (await UnloadWhenIdle())
                await Retire();
        }
    }

    private async Task UnloadReplica(string key)
    {
        try
        {
            await GrainFactory.GetGrain<IModelGrain>(key).Unload();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogReplicaReportFailed(logger, key, e.Message);
        }
    }

    /// <summary>A request reached a replica that is not loaded (it expired, drained or unloads): the client asks the primary again.</summary>
    private ModelRelocatingException NotServingReplica() =>
        new($"replica {Key.Replica} of model '{ModelPath}' on silo {SiloAddress} is not serving; ask the model again");

    /// <summary>The primary's answer when a replica takes the request.</summary>
    private async IAsyncEnumerable<GenerationEvent> Redirect(string runnerKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _ = cancellationToken;
        await Task.CompletedTask;
        yield return GenerationEvent.Redirected(runnerKey) with { SiloAddress = SiloAddress };
    }
}
