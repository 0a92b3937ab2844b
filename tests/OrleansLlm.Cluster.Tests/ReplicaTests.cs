using Orleans.TestingHost;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Replicas;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// Replicas of a hot model (README "Replicas") on two silos that can take it (a third's GPU is
/// too small for it): two slots per runner
/// (<c>OLLAMA_NUM_PARALLEL=2</c>), a replica once every runner has had both slots taken for
/// <c>OLLM_REPLICA_AFTER</c>. A stream the test has not read on holds its slot.
/// </summary>
public sealed class ReplicaTests : IAsyncLifetime
{
    private static readonly TimeSpan After = TimeSpan.FromMilliseconds(300);
    private static readonly KeepAliveDuration KeepAlive = KeepAliveDuration.From(TimeSpan.FromSeconds(2));
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:1GiB", "cuda:24GiB", "cuda:24GiB"], new Dictionary<string, string?>
        {
            ["Ollm:NumParallel"] = "2",
            ["Ollm:ReplicaAfter"] = After.ToString(),
            ["Ollm:MaxReplicas"] = "4",
        });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task A_hot_model_gets_a_replica_on_the_other_silo_which_takes_new_requests_and_unloads_after_its_keep_alive()
    {
        var model = TestModels.Small("replica-hot");
        var replica = new ModelKey(model, 1).ToString();
        var (primarySilo, held) = await SaturateUntilReplica(model);

        var replicaSilo = (await _cluster.WhereLoaded(replica)).Single().Silo;
        Assert.NotEqual(primarySilo, replicaSilo);
        // The replica has both slots free, the primary none: a new request goes to the replica.
        var served = await ServedByReplica(model, replicaSilo, held);
        Assert.Equal(5, served.Count(e => e.Kind == GenerationEventKind.Token));
        Assert.DoesNotContain(served, e => e.Kind == GenerationEventKind.Redirected);

        // Every runner full again, for longer than the threshold: no third runner, for no silo is
        // without one of the model's runners.
        held.Add((await Client.GenerateAsync(model, Request(400)).ReadUntil(e => e.Kind == GenerationEventKind.Started)).Remaining);
        held.Add((await Client.GenerateAsync(model, Request(400)).ReadUntil(e => e.Kind == GenerationEventKind.Started)).Remaining);
        await Task.Delay(After * 3); // the threshold is the behaviour
        var (_, extra) = await Client.GenerateAsync(model, Request(5)).ReadUntil(e => e.Kind == GenerationEventKind.Started);
        await Task.Delay(After); // a replica the primary asked for would be placed (claimed) by now
        var runners = (await _cluster.Snapshots()).SelectMany(s => s.Host.Runners.Where(r => ModelKey.PathOf(r.ModelPath) == model).Select(r => (s.SiloAddress, r.ModelPath))).ToList();
        Assert.Equal(2, runners.Count);
        Assert.Equal(2, runners.Select(r => r.SiloAddress).Distinct().Count());

        foreach (var stream in held)
        {
            var events = await stream.Drain();
            Assert.Contains(events.Count(e => e.Kind == GenerationEventKind.Token), new[] { 5, 400 }); // never cut
            Assert.Equal("length", events[^1].DoneReason);
        }
        Assert.Equal(5, (await extra.Drain()).Count(e => e.Kind == GenerationEventKind.Token));

        // Idle past its keep-alive, the replica unloads like any model, and its activation goes.
        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(replica), TimeSpan.FromSeconds(30), "the replica unloads after its keep-alive");
        // The aftermath: the model is served again, by one runner.
        var again = await Client.GenerateAsync(model, Request(5) with { KeepAlive = KeepAlive }).ToListAsync();
        Assert.Equal(5, again.Count(e => e.Kind == GenerationEventKind.Token));
        Assert.Equal(GenerationEventKind.Done, again[^1].Kind);
        Assert.Single((await _cluster.Snapshots()).SelectMany(s => s.Host.Runners), r => ModelKey.PathOf(r.ModelPath) == model);
    }

    [Fact]
    public async Task Keep_alive_0_unloads_every_runner_of_the_model_and_a_pinned_models_replica_is_not_pinned()
    {
        var model = TestModels.Small("replica-unload");
        var replica = new ModelKey(model, 1).ToString();
        var (_, held) = await SaturateUntilReplica(model, KeepAliveDuration.Forever);

        Assert.False((await _cluster.Client.GetGrain<IModelGrain>(replica).GetStatus()).KeepAlive.IsForever);
        Assert.True((await _cluster.Client.GetGrain<IModelGrain>(model).GetStatus()).KeepAlive.IsForever);
        foreach (var stream in held)
            Assert.Equal("length", (await stream.Drain())[^1].DoneReason);

        var unload = await Client.GenerateAsync(model, new GenerateRequest { KeepAlive = KeepAliveDuration.Zero }).ToListAsync();
        Assert.Equal("unload", unload[^1].DoneReason);
        await ClusterView.Eventually(async () => !(await _cluster.Snapshots()).SelectMany(s => s.Host.Runners).Any(r => ModelKey.PathOf(r.ModelPath) == model),
            TimeSpan.FromSeconds(30), "both runners of the model unload");
        // The aftermath: a request loads it again, and is served.
        var again = await Client.GenerateAsync(model, Request(5)).ToListAsync();
        Assert.Equal(5, again.Count(e => e.Kind == GenerationEventKind.Token));
        Assert.Equal(GenerationEventKind.Queued, again[0].Kind);
    }

    [Fact]
    public async Task When_a_replicas_host_is_lost_its_callers_get_a_clean_error_and_every_new_request_is_served_by_the_primary()
    {
        var model = TestModels.Small("replica-lost");
        var replica = new ModelKey(model, 1).ToString();
        var (primarySilo, held) = await SaturateUntilReplica(model);
        var replicaSilo = (await _cluster.WhereLoaded(replica)).Single().Silo;
        await ServedByReplica(model, replicaSilo, held);
        // The primary still counts the replica ready when its host dies.
        held.Add((await Client.GenerateAsync(model, Request(400)).ReadUntil(e => e.Kind == GenerationEventKind.Started)).Remaining);
        await _cluster.KillSiloAsync(_cluster.Silos.Single(s => s.SiloAddress.ToParsableString() == replicaSilo));

        var after = Enumerable.Range(0, 3).Select(_ => Client.GenerateAsync(model, Request(5)).ToListAsync().AsTask()).ToList();
        var lost = 0;
        foreach (var stream in held)
        {
            try
            {
                Assert.Equal("length", (await stream.Drain().WaitAsync(TimeSpan.FromSeconds(90)))[^1].DoneReason);
            }
            catch (ModelHostLostException)
            {
                lost++; // the streams on the lost replica: the error a caller can act on
            }
        }
        Assert.True(lost >= 1, "the stream held on the replica's host ended cleanly, which it cannot have");
        // The aftermath: every request sent after the loss is served, by the primary.
        foreach (var events in await Task.WhenAll(after).WaitAsync(TimeSpan.FromSeconds(90)))
        {
            Assert.Equal(5, events.Count(e => e.Kind == GenerationEventKind.Token));
            Assert.Equal(primarySilo, events.Single(e => e.Kind == GenerationEventKind.Started).SiloAddress);
        }
    }

    /// <summary>
    /// Sends short requests until one is served by the replica: the primary sends requests there
    /// once it has the replica's report that it is ready (a message behind the silo's). Requests
    /// the primary kept are held, behind its held streams.
    /// </summary>
    private async Task<List<GenerationEvent>> ServedByReplica(string model, string replicaSilo, List<IAsyncEnumerator<GenerationEvent>> held)
    {
        List<GenerationEvent> served = [];
        await ClusterView.Eventually(async () =>
        {
            var (seen, rest) = await Client.GenerateAsync(model, Request(5)).ReadUntil(e => e.Kind == GenerationEventKind.Started);
            if (seen[^1].SiloAddress != replicaSilo)
            {
                held.Add(rest);
                return false;
            }
            served = [.. seen, .. await rest.Drain()];
            return true;
        }, TimeSpan.FromSeconds(30), "a new request goes to the replica");
        return served;
    }

    /// <summary>
    /// Holds both slots of the model's primary and one request waiting for a slot past the
    /// threshold, then one more request: the primary starts replica 1. Returns the primary's silo
    /// and the held streams (each 400 tokens).
    /// </summary>
    private async Task<(string PrimarySilo, List<IAsyncEnumerator<GenerationEvent>> Held)> SaturateUntilReplica(string model, KeepAliveDuration? keepAlive = null)
    {
        var held = new List<IAsyncEnumerator<GenerationEvent>>();
        var request = Request(400) with { KeepAlive = keepAlive ?? KeepAlive };
        var (seen, first) = await Client.GenerateAsync(model, request).ReadUntil(e => e.Kind == GenerationEventKind.Started);
        held.Add(first);
        var primarySilo = seen.Single(e => e.Kind == GenerationEventKind.Started).SiloAddress!;
        for (var i = 0; i < 2; i++)
            held.Add((await Client.GenerateAsync(model, request).ReadUntil(e => e.Kind == GenerationEventKind.Started)).Remaining);
        var replica = new ModelKey(model, 1).ToString();
        // Each request that finds every slot taken for longer than the threshold may start the replica.
        await ClusterView.Eventually(async () =>
        {
            if (await _cluster.IsLoaded(replica))
                return true;
            await Task.Delay(After);
            held.Add((await Client.GenerateAsync(model, request).ReadUntil(e => e.Kind == GenerationEventKind.Started)).Remaining);
            return false;
        }, TimeSpan.FromSeconds(30), "the primary starts a replica on the other silo");
        return (primarySilo, held);
    }

    private static GenerateRequest Request(int tokens) => new() { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = tokens }, KeepAlive = KeepAlive };
}
