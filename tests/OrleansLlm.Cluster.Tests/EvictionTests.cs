using Orleans.TestingHost;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// One silo with a 24 GiB GPU and a generous cap: memory alone forces evictions. The seed's rules:
/// loads in arrival order, and a busy model is never drained (<c>OLLM_LOAD_ORDER=fifo</c>,
/// <c>OLLM_DRAIN_BUSY_AFTER=0</c>, <c>OLLM_MAX_REPLICAS=1</c>).
/// </summary>
public sealed class EvictionTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:24GiB"], new Dictionary<string, string?>
        {
            ["Ollm:MaxLoadedModels"] = "10",
            ["Ollm:LoadOrder"] = "Fifo",
            ["Ollm:DrainBusyAfter"] = "00:00:00",
            ["Ollm:MaxReplicas"] = "1",
        });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task To_fit_a_new_model_the_idle_model_with_the_shortest_keep_alive_goes_first()
    {
        // Four 5.4 GiB models fill the GPU; a fifth needs one of them gone.
        string[] models = [TestModels.Medium("evict-a"), TestModels.Medium("evict-b"), TestModels.Medium("evict-c"), TestModels.Medium("evict-d")];
        int[] minutes = [10, 1, 30, 5];
        for (var i = 0; i < models.Length; i++)
            await Generate(models[i], KeepAliveDuration.From(TimeSpan.FromMinutes(minutes[i])));

        await Generate(TestModels.Medium("evict-new"), KeepAliveDuration.Default);

        Assert.False(await _cluster.IsLoaded(models[1]), "the one-minute model should have been evicted");
        Assert.True(await _cluster.IsLoaded(models[0]));
        Assert.True(await _cluster.IsLoaded(models[2]));
        Assert.True(await _cluster.IsLoaded(models[3]));
        Assert.True(await _cluster.IsLoaded(TestModels.Medium("evict-new")));
        await UnloadAll();
    }

    [Fact]
    public async Task A_busy_model_is_never_evicted_the_new_request_waits_until_it_is_idle()
    {
        var busy = TestModels.Large("evict-busy");
        var waiting = TestModels.Large("evict-waiting");
        var (_, busyStream) = await Client.GenerateAsync(busy, Request(400)).ReadUntil(e => e.Kind == GenerationEventKind.Started);

        var waiter = Client.GenerateAsync(waiting, Request(1)).ToListAsync().AsTask();
        await ClusterView.Eventually(async () => (await _cluster.Snapshots()).Sum(s => s.QueuedLoads) == 1, TimeSpan.FromSeconds(30), "the second model's load waits for room");
        Assert.False(waiter.IsCompleted, "the second model loaded while the first was busy");
        Assert.True(await _cluster.IsLoaded(busy));

        var busyEvents = await busyStream.Drain();
        var waiterEvents = await waiter.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(400, busyEvents.Count(e => e.Kind == GenerationEventKind.Token)); // never cut short
        Assert.Equal(GenerationEventKind.Queued, waiterEvents[0].Kind);
        Assert.Equal(GenerationEventKind.Done, waiterEvents[^1].Kind);
        Assert.False(await _cluster.IsLoaded(busy));
        await UnloadAll();
    }

    /// <summary>With a slow grain store, an eviction takes a while to finish its bookkeeping; a request for the model arrives meanwhile.</summary>
    [Fact]
    public async Task A_request_arriving_while_its_model_is_evicted_keeps_the_room_it_reloads_into()
    {
        // Two 14 GiB models: one GPU holds one of them at a time.
        var evicted = TestModels.Large("race-" + SharedGrainStorage.SlowWriteMarker);
        var evictor = TestModels.Large("race-evictor");
        await Generate(evicted, FiveMinutes);

        var evicting = Generate(evictor, FiveMinutes);
        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(evicted), TimeSpan.FromSeconds(20), "the first model was evicted");
        // The eviction is still writing the model's state; a request for it arrives now.
        var returning = Client.GenerateAsync(evicted, Request(200) with { KeepAlive = FiveMinutes }).ToListAsync().AsTask();

        await Task.WhenAll(evicting, returning).WaitAsync(TimeSpan.FromSeconds(60));
        var statuses = await Task.WhenAll(new[] { evicted, evictor }.Select(m => _cluster.Client.GetGrain<IModelGrain>(m).GetStatus()));
        var ready = statuses.Where(s => s.State == ModelState.Ready).ToArray();
        Assert.True(ready.Sum(s => s.VramBytes) <= 24L << 30,
            $"the GPU holds {string.Join(" + ", ready.Select(s => $"{Path.GetFileName(s.ModelPath)} {s.VramBytes >> 20} MiB"))}");
        foreach (var status in ready)
            Assert.True(await _cluster.IsLoaded(status.ModelPath), $"{status.ModelPath} is loaded but its GPU silo holds no reservation for it");
        await UnloadAll();
    }

    private static readonly KeepAliveDuration FiveMinutes = KeepAliveDuration.From(TimeSpan.FromMinutes(5));

    private Task<List<GenerationEvent>> Generate(string path, KeepAliveDuration keepAlive) =>
        Client.GenerateAsync(path, Request(1) with { KeepAlive = keepAlive }).ToListAsync().AsTask();

    private static GenerateRequest Request(int tokens) => new() { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = tokens } };

    private async Task UnloadAll()
    {
        foreach (var snapshot in await _cluster.Snapshots())
        {
            foreach (var runner in snapshot.Host.Runners)
                await _cluster.Client.GetGrain<IModelGrain>(runner.ModelPath).Unload();
        }
    }
}

/// <summary>One silo with room for many models but OLLAMA_MAX_LOADED_MODELS=2.</summary>
public sealed class MaxLoadedModelsTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:80GiB"], new Dictionary<string, string?> { ["Ollm:MaxLoadedModels"] = "2" });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task The_max_loaded_cap_evicts_the_idle_model_with_the_shortest_keep_alive()
    {
        var client = new ModelClient(_cluster.Client, 512);
        string long_ = TestModels.Small("cap-long"), short_ = TestModels.Small("cap-short"), third = TestModels.Small("cap-third");
        await client.GenerateAsync(long_, new GenerateRequest { Prompt = "x", KeepAlive = KeepAliveDuration.From(TimeSpan.FromHours(1)) }).ToListAsync();
        await client.GenerateAsync(short_, new GenerateRequest { Prompt = "x", KeepAlive = KeepAliveDuration.From(TimeSpan.FromMinutes(2)) }).ToListAsync();

        await client.GenerateAsync(third, new GenerateRequest { Prompt = "x" }).ToListAsync();

        Assert.True(await _cluster.IsLoaded(long_));
        Assert.False(await _cluster.IsLoaded(short_));
        Assert.True(await _cluster.IsLoaded(third));
        Assert.Equal(2, (await _cluster.Snapshots()).Sum(s => s.Host.Runners.Count));
    }
}
