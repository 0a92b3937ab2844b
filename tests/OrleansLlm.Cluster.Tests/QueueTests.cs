using Orleans.TestingHost;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>Slow loads (a 5 GiB model takes about five seconds) so that requests really wait.</summary>
public sealed class QueueTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:80GiB"], new Dictionary<string, string?> { ["Ollm:Simulated:LoadBytesPerSecond"] = "1000000000" });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task With_a_queue_of_one_the_excess_request_gets_the_exact_busy_error_at_once()
    {
        var client = new ModelClient(_cluster.Client, maxQueue: 1);
        var (_, first) = await client.GenerateAsync(TestModels.Medium("queue-first"), Request()).ReadUntil(e => e.Kind == GenerationEventKind.Queued);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ServerBusyException>(() => client.GenerateAsync(TestModels.Medium("queue-second"), Request()).ToListAsync().AsTask());

        Assert.Equal("server busy, please try again.  maximum pending requests exceeded", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the busy error took {clock.Elapsed}, as if it had waited for the load");
        Assert.Equal(GenerationEventKind.Done, (await first.Drain())[^1].Kind);
        Assert.Equal(0, client.Pending);
    }

    [Fact]
    public async Task A_request_to_a_loaded_model_never_waits_behind_another_models_load()
    {
        var client = new ModelClient(_cluster.Client, maxQueue: 1);
        var loaded = TestModels.Small("queue-loaded");
        await client.GenerateAsync(loaded, Request()).ToListAsync();
        var (_, slowLoad) = await client.GenerateAsync(TestModels.Medium("queue-slow"), Request()).ReadUntil(e => e.Kind == GenerationEventKind.Queued);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var events = await client.GenerateAsync(loaded, Request()).ToListAsync();

        Assert.DoesNotContain(events, e => e.Kind == GenerationEventKind.Queued);
        Assert.Equal(GenerationEventKind.Done, events[^1].Kind);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the loaded model answered after {clock.Elapsed}, as if behind the other load");
        await slowLoad.Drain();
    }

    private static GenerateRequest Request() => new() { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = 2 } };
}
