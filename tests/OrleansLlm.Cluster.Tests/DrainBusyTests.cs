using Orleans.TestingHost;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// Bounded waits behind busy models (<c>OLLM_DRAIN_BUSY_AFTER</c>) and the order of waiting loads
/// (<c>OLLM_LOAD_ORDER=demand</c>) on one silo whose 24 GiB GPU holds one 14 GiB model at a time.
/// A stream the test has not read on holds its runner busy.
/// </summary>
public sealed class DrainBusyTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:24GiB"], new Dictionary<string, string?>
        {
            ["Ollm:MaxLoadedModels"] = "10",
            ["Ollm:DrainBusyAfter"] = Bound.ToString(),
            ["Ollm:MinResidency"] = "00:00:00",
            // Long enough that the order test's cold load is not starved by the time room frees.
            ["Ollm:StarvationBound"] = "00:02:00",
            ["Ollm:LoadOrder"] = "Demand",
        });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    private IGpuSiloGrain Silo => _cluster.Client.GetGrain<IGpuSiloGrain>(_cluster.Silo(0));

    [Fact]
    public async Task A_load_waiting_past_the_bound_drains_the_busy_model_which_finishes_its_stream_and_is_served_again_after()
    {
        var busy = TestModels.Large("drain-busy");
        var waiting = TestModels.Large("drain-waiting");
        var (_, busyStream) = await Client.GenerateAsync(busy, Request(400)).ReadUntil(e => e.Kind == GenerationEventKind.Started);

        var waiter = Client.GenerateAsync(waiting, Request(5)).ToListAsync().AsTask();
        await ClusterView.Eventually(async () => (await _cluster.WhereLoaded(busy)) is [{ Runner.Yielding: true }], TimeSpan.FromSeconds(30),
            "the busy model is asked to drain once the load waited past the bound");
        // A request for the draining model is not admitted to its runner: it waits, and is served after.
        var late = Client.GenerateAsync(busy, Request(5)).ToListAsync().AsTask();
        await ClusterView.Eventually(async () => (await _cluster.Client.GetGrain<IModelGrain>(busy).GetStatus()).PendingRequests == 1, TimeSpan.FromSeconds(30),
            "the late request waits for the draining model");
        Assert.False(waiter.IsCompleted, "the waiting model loaded while the busy one still held the room");

        var busyEvents = await busyStream.Drain();
        var waiterEvents = await waiter.WaitAsync(TimeSpan.FromSeconds(60));
        var lateEvents = await late.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(400, busyEvents.Count(e => e.Kind == GenerationEventKind.Token)); // never cut
        Assert.Equal("length", busyEvents[^1].DoneReason);
        Assert.Equal(5, waiterEvents.Count(e => e.Kind == GenerationEventKind.Token));
        Assert.Equal(GenerationEventKind.Queued, lateEvents[0].Kind);
        Assert.Equal(5, lateEvents.Count(e => e.Kind == GenerationEventKind.Token));
        Assert.Equal(GenerationEventKind.Done, lateEvents[^1].Kind);
        var activity = await Silo.GetActivity();
        Assert.Contains(activity.Recent, e => e.Kind == SiloEventKind.Draining && e.ModelPath == waiting && e.Detail.Contains(busy, StringComparison.Ordinal));
        Assert.Contains(activity.Recent, e => e.Kind == SiloEventKind.Released && e.ModelPath == busy && e.Detail.Contains("drained to make room", StringComparison.Ordinal));
        await AssertReservationsMatchLoadedModels([busy, waiting]);
        await UnloadAll();
    }

    [Fact]
    public async Task A_pinned_busy_model_is_never_drained_however_long_a_load_waits()
    {
        var pinned = TestModels.Large("drain-pinned");
        var waiting = TestModels.Large("drain-pinned-waiting");
        var (_, pinnedStream) = await Client.GenerateAsync(pinned, Request(400) with { KeepAlive = KeepAliveDuration.Forever })
            .ReadUntil(e => e.Kind == GenerationEventKind.Started);

        var waiter = Client.GenerateAsync(waiting, Request(1)).ToListAsync().AsTask();
        await ClusterView.Eventually(async () => (await Silo.GetActivity()).Waiting.Count == 1, TimeSpan.FromSeconds(30), "the load waits for room");
        // The bound is the behaviour here: the load waits several bounds, and the pinned model stays.
        await Task.Delay(Bound * 4);

        Assert.False(waiter.IsCompleted);
        Assert.False((await _cluster.WhereLoaded(pinned)).Single().Runner.Yielding);
        Assert.DoesNotContain((await Silo.GetActivity()).Recent, e => e.Kind == SiloEventKind.Draining);
        var pinnedEvents = await pinnedStream.Drain();
        Assert.Equal(400, pinnedEvents.Count(e => e.Kind == GenerationEventKind.Token));
        Assert.Equal(GenerationEventKind.Done, (await waiter.WaitAsync(TimeSpan.FromSeconds(60)))[^1].Kind);
        await AssertReservationsMatchLoadedModels([pinned, waiting]);
        await UnloadAll();
    }

    [Fact]
    public async Task The_load_most_requests_wait_for_goes_first_and_a_cold_model_is_not_starved_by_a_hot_one()
    {
        var blocker = TestModels.Large("order-blocker");
        var cold = TestModels.Large("order-cold");
        var hot = TestModels.Large("order-hot");
        // The blocker is pinned: it is not drained, so both loads queue behind it.
        var (_, blockerStream) = await Client.GenerateAsync(blocker, Request(400) with { KeepAlive = KeepAliveDuration.Forever })
            .ReadUntil(e => e.Kind == GenerationEventKind.Started);
        var coldRequest = Client.GenerateAsync(cold, Request(1)).ToListAsync().AsTask();
        await ClusterView.Eventually(async () => (await Silo.GetActivity()).Waiting.Count == 1, TimeSpan.FromSeconds(30), "the cold model's load waits");
        // Then a skewed stream: many requests for the hot model, each long enough to keep it busy.
        var hotRequests = new List<Task<List<GenerationEvent>>>();
        for (var i = 0; i < 6; i++)
            hotRequests.Add(Client.GenerateAsync(hot, Request(150)).ToListAsync().AsTask());
        await ClusterView.Eventually(async () => (await Silo.GetActivity()).Waiting is [_, { WaitingRequests: 6 }] or [{ WaitingRequests: 6 }, _],
            TimeSpan.FromSeconds(30), "the hot model's load waits with its six requests counted");

        // Room frees: the hot model goes first. It stays busy with its six requests; the cold
        // load drains it once it has waited the bound, so the cold request is not starved.
        await blockerStream.Drain();
        var coldEvents = await coldRequest.WaitAsync(TimeSpan.FromSeconds(90));
        var hotEvents = await Task.WhenAll(hotRequests).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(GenerationEventKind.Done, coldEvents[^1].Kind);
        Assert.All(hotEvents, events => Assert.Equal(150, events.Count(e => e.Kind == GenerationEventKind.Token)));
        var granted = (await Silo.GetActivity()).Recent.Where(e => e.Kind == SiloEventKind.LoadGranted).Select(e => e.ModelPath).ToList();
        Assert.True(granted.IndexOf(hot) < granted.IndexOf(cold), $"grants in order: {string.Join(", ", granted.Select(Path.GetFileName))}");
        await AssertReservationsMatchLoadedModels([blocker, cold, hot]);
        await UnloadAll();
    }

    private static GenerateRequest Request(int tokens) => new() { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = tokens } };

    /// <summary>The aftermath: the GPU silo reserves exactly the models that are loaded, and none twice.</summary>
    private async Task AssertReservationsMatchLoadedModels(string[] models)
    {
        var reserved = (await Silo.GetSnapshot()).Host.Runners.Where(r => !r.Loading).Select(r => r.ModelPath).Order().ToArray();
        var statuses = await Task.WhenAll(models.Select(m => _cluster.Client.GetGrain<IModelGrain>(m).GetStatus()));
        var ready = statuses.Where(s => s.State == ModelState.Ready).Select(s => s.ModelPath).Order().ToArray();
        Assert.Equal(ready, reserved);
        Assert.True((await Silo.GetSnapshot()).Host.Runners.Sum(r => r.VramBytes) <= 24L << 30);
    }

    private async Task UnloadAll()
    {
        foreach (var runner in (await Silo.GetSnapshot()).Host.Runners)
            await _cluster.Client.GetGrain<IModelGrain>(runner.ModelPath).Unload();
    }
}
