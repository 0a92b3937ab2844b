using Orleans.TestingHost;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>One 24 GiB GPU: a 14 GiB model waits for a busy one while small models keep arriving.</summary>
public sealed class FairnessTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:24GiB"], new Dictionary<string, string?> { ["Ollm:MaxLoadedModels"] = "10" });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Loads_that_fit_may_overtake_a_waiting_load_only_three_times_in_a_row()
    {
        var client = new ModelClient(_cluster.Client, 512);
        using var stopBusy = new CancellationTokenSource();
        var (_, busy) = await client.GenerateAsync(TestModels.Large("fair-busy"), Request(100_000), stopBusy.Token).ReadUntil(e => e.Kind == GenerationEventKind.Token);
        var (_, head) = await client.GenerateAsync(TestModels.Large("fair-head"), Request(1)).ReadUntil(e => e.Kind == GenerationEventKind.Queued);
        await QueuedLoads(1, "the head waits in the silo's queue");

        for (var i = 0; i < 3; i++)
            await client.GenerateAsync(TestModels.Small($"fair-small-{i}"), Request(1)).ToListAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var fourth = client.GenerateAsync(TestModels.Small("fair-small-3"), Request(1)).ToListAsync().AsTask();
        await QueuedLoads(2, "the fourth small load waits behind the head");

        Assert.False(fourth.IsCompleted, "a fourth load overtook the waiting head");
        Assert.False(await _cluster.IsLoaded(TestModels.Large("fair-head")));

        await stopBusy.CancelAsync(); // the busy model goes idle: the head evicts it and loads, then the fourth
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await busy.Drain());
        Assert.Equal(GenerationEventKind.Done, (await head.Drain().WaitAsync(TimeSpan.FromSeconds(20)))[^1].Kind);
        Assert.Equal(GenerationEventKind.Done, (await fourth.WaitAsync(TimeSpan.FromSeconds(20)))[^1].Kind);
        Assert.True(await _cluster.IsLoaded(TestModels.Large("fair-head")));
    }

    private Task QueuedLoads(int count, string what) =>
        ClusterView.Eventually(async () => (await _cluster.Snapshots()).Sum(s => s.QueuedLoads) == count, TimeSpan.FromSeconds(30), what);

    private static GenerateRequest Request(int tokens) => new() { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = tokens } };
}
