using Orleans.TestingHost;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// Persisting a model's keep-alive intent is for host loss; when the grain store cannot be
/// written, the request that was served and the load that succeeded stand, and the intent is
/// written once the store answers again.
/// </summary>
public sealed class StorageFailureTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestClusters.StartAsync(["cuda:24GiB"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task When_the_grain_store_fails_requests_are_served_whole_the_runner_is_kept_and_the_intent_is_written_later()
    {
        var path = TestModels.Small(SharedGrainStorage.FailingWriteMarker + "-model");
        var request = new GenerateRequest { Prompt = "hi", KeepAlive = KeepAliveDuration.From(TimeSpan.FromMinutes(30)), Sampling = SamplingOptions.Default with { NumPredict = 3 } };

        var first = await Client.GenerateAsync(path, request).ToListAsync();
        var second = await Client.GenerateAsync(path, request).ToListAsync();

        foreach (var events in new[] { first, second })
        {
            Assert.Equal(3, events.Count(e => e.Kind == GenerationEventKind.Token));
            Assert.Equal(GenerationEventKind.Done, events[^1].Kind);       // and nothing after it: the stream ended cleanly
        }
        Assert.Equal(1, (await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus()).Loads);
        Assert.DoesNotContain(SharedStore.States.Keys, k => k.Key.Contains(SharedGrainStorage.FailingWriteMarker, StringComparison.Ordinal));

        SharedGrainStorage.FailWrites = false;
        await ClusterView.Eventually(() => Task.FromResult(SharedStore.States.Keys.Any(k => k.Key.Contains(SharedGrainStorage.FailingWriteMarker, StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30), "the intent is written once the store answers");
    }
}
