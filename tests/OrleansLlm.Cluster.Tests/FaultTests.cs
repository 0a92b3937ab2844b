using Orleans.TestingHost;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

public sealed class FaultTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:24GiB", "cuda:24GiB"], new Dictionary<string, string?>
        {
            ["Ollm:Simulated:FailingModels:0"] = "broken",
            ["Ollm:Simulated:LoadBytesPerSecond"] = "10000000000",
        });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task A_failed_load_fails_every_waiting_request_and_keeps_nothing_reserved()
    {
        var path = TestModels.Medium("broken-model");

        var requests = Enumerable.Range(0, 3).Select(_ => Client.GenerateAsync(path, new GenerateRequest { Prompt = "hi" }).ToListAsync().AsTask()).ToArray();
        var errors = await Task.WhenAll(requests.Select(r => Assert.ThrowsAsync<ModelLoadException>(() => r)));

        Assert.All(errors, e => Assert.Contains("simulated failure loading", e.Message));
        var snapshots = await _cluster.Snapshots();
        Assert.All(snapshots, s => Assert.DoesNotContain(s.Host.Runners, r => r.ModelPath == path));
    }

    [Fact]
    public async Task A_caller_that_cancels_mid_stream_releases_its_reference_and_the_next_request_is_served_by_the_same_runner()
    {
        var path = TestModels.Small("cancel-model");
        using var cancel = new CancellationTokenSource();
        var (_, stream) = await Client.GenerateAsync(path, new GenerateRequest { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = 10_000 } }, cancel.Token)
            .ReadUntil(e => e.Kind == GenerationEventKind.Token);
        Assert.Equal(1, (await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus()).RefCount);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await stream.Drain());

        await ClusterView.Eventually(async () => (await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus()).RefCount == 0, TimeSpan.FromSeconds(30), "the reference is released");
        var (_, runner) = Assert.Single(await _cluster.WhereLoaded(path));
        Assert.Equal(0, runner.RefCount);
        Assert.NotNull(runner.ExpiresAt); // idle: the keep-alive countdown runs

        // And the next request is served in full by the same runner.
        var next = await Client.GenerateAsync(path, new GenerateRequest { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = 5 } }).ToListAsync();
        Assert.Equal(5, next.Count(e => e.Kind == GenerationEventKind.Token));
        Assert.Equal(GenerationEventKind.Done, next[^1].Kind);
        Assert.Equal(1, (await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus()).Loads);
    }
}
