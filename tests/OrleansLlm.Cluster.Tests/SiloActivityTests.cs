using Orleans.TestingHost;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>What a GPU silo tells the dashboard: loads waiting for room and why, and its recent loads and releases.</summary>
public sealed class SiloActivityTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:24GiB"], new Dictionary<string, string?> { ["Ollm:MaxLoadedModels"] = "10" });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    private IGpuSiloGrain Silo => _cluster.Client.GetGrain<IGpuSiloGrain>(_cluster.Silo(0));

    [Fact]
    public async Task A_load_waiting_for_a_busy_model_is_listed_with_why_and_its_eviction_is_recorded_with_the_reason()
    {
        var busy = TestModels.Large("activity-busy");
        var waiting = TestModels.Large("activity-waiting");
        var (_, busyStream) = await Client.GenerateAsync(busy, Request(300)).ReadUntil(e => e.Kind == GenerationEventKind.Started);
        var waiter = Client.GenerateAsync(waiting, Request(1)).ToListAsync().AsTask();

        await ClusterView.Eventually(async () => (await Silo.GetActivity()).Waiting.Count == 1, TimeSpan.FromSeconds(30), "the second load waits for room");
        var queued = Assert.Single((await Silo.GetActivity()).Waiting);
        Assert.Equal(waiting, queued.ModelPath);
        Assert.Equal($"waiting for busy model '{busy}' to go idle", queued.Reason);

        await busyStream.Drain();
        await waiter.WaitAsync(TimeSpan.FromSeconds(30));

        var activity = await Silo.GetActivity();
        Assert.Empty(activity.Waiting);
        var events = activity.Recent.Select(e => (e.Kind, e.ModelPath)).ToList();
        // In order: the busy model loads, the other waits, the busy one is named for eviction and
        // released with why, then the other loads.
        int At(SiloEventKind kind, string model) => events.IndexOf((kind, model));
        Assert.True(At(SiloEventKind.LoadGranted, busy) >= 0 && At(SiloEventKind.LoadGranted, busy) < At(SiloEventKind.Loaded, busy), string.Join("\n", activity.Recent));
        Assert.True(At(SiloEventKind.Loaded, busy) < At(SiloEventKind.Waiting, waiting), string.Join("\n", activity.Recent));
        Assert.True(At(SiloEventKind.Waiting, waiting) < At(SiloEventKind.Evicting, waiting), string.Join("\n", activity.Recent));
        Assert.True(At(SiloEventKind.Evicting, waiting) < At(SiloEventKind.Released, busy), string.Join("\n", activity.Recent));
        Assert.True(At(SiloEventKind.Released, busy) < At(SiloEventKind.Loaded, waiting), string.Join("\n", activity.Recent));
        Assert.Equal("evicted to make room", activity.Recent.Single(e => e.Kind == SiloEventKind.Released && e.ModelPath == busy).Detail);
        Assert.Contains(busy, activity.Recent.Single(e => e.Kind == SiloEventKind.Evicting).Detail, StringComparison.Ordinal);

        // The aftermath: the model that waited serves the next request.
        Assert.Equal(GenerationEventKind.Done, (await Client.GenerateAsync(waiting, Request(1)).ToListAsync())[^1].Kind);
    }

    private static GenerateRequest Request(int tokens) => new() { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = tokens } };
}
