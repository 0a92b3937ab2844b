using Orleans.TestingHost;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>Two silos with one 16 GiB GPU each: a 14 GiB model fills one, and a load must wait for room.</summary>
public sealed class WaitingLoadTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:16GiB", "cuda:16GiB"], new Dictionary<string, string?>
        {
            ["Ollm:MaxLoadedModels"] = "10",
            ["Ollm:RePlaceWaitingLoadAfter"] = "00:00:01",
        });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task A_load_waiting_for_busy_models_moves_to_the_silo_where_room_frees_up()
    {
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var firstBusy = TestModels.Large("wait-busy-1");
        var secondBusy = TestModels.Large("wait-busy-2");
        var (_, firstStream) = await Client.GenerateAsync(firstBusy, Request(100_000), first.Token).ReadUntil(e => e.Kind == GenerationEventKind.Started);
        var (_, secondStream) = await Client.GenerateAsync(secondBusy, Request(100_000), second.Token).ReadUntil(e => e.Kind == GenerationEventKind.Started);
        var firstSilo = (await _cluster.WhereLoaded(firstBusy)).Single().Silo;
        var secondSilo = (await _cluster.WhereLoaded(secondBusy)).Single().Silo;
        Assert.NotEqual(firstSilo, secondSilo);

        var waiting = TestModels.Medium("wait-mover");
        var waiter = Client.GenerateAsync(waiting, Request(1)).ToListAsync().AsTask();
        await ClusterView.Eventually(async () => (await _cluster.Snapshots()).Sum(s => s.QueuedLoads) == 1, TimeSpan.FromSeconds(30), "the load waits for room");
        Assert.False(waiter.IsCompleted, "nothing was idle: the load should be waiting");

        // Free the silo the load is NOT waiting on; the one it waits on stays busy for minutes.
        var waitingOn = (await _cluster.Client.GetGrain<IModelGrain>(waiting).GetStatus()).SiloAddress;
        var (freed, freedStream, freedCancel, stays, staysStream, staysCancel) = waitingOn == firstSilo
            ? (secondBusy, secondStream, second, firstBusy, firstStream, first)
            : (firstBusy, firstStream, first, secondBusy, secondStream, second);
        await freedCancel.CancelAsync();
        await freedStream.DisposeAsync();

        var events = await waiter.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(GenerationEventKind.Done, events[^1].Kind);
        Assert.NotEqual(waitingOn, (await _cluster.WhereLoaded(waiting)).Single().Silo);
        Assert.False(await _cluster.IsLoaded(freed));
        Assert.Equal(waitingOn, (await _cluster.WhereLoaded(stays)).Single().Silo);

        await staysCancel.CancelAsync();
        await staysStream.DisposeAsync();
    }

    private static GenerateRequest Request(int tokens) => new() { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = tokens } };
}
