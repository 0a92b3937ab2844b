using OrleansLlm.Abstractions.Errors;
using System.Diagnostics;
using Orleans.TestingHost;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>Three silos: 8 GiB, 24 GiB, and two 12 GiB GPUs; the 24 GiB one is killed.</summary>
public sealed class HostLossTests : IAsyncLifetime
{
    /// <summary>
    /// The bound on a pinned model serving again after its host is killed: failure detection by
    /// membership, plus one reminder period (2 s here), plus its load.
    /// </summary>
    private static readonly TimeSpan RestoreBound = TimeSpan.FromSeconds(60);

    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestClusters.StartAsync(["cuda:8GiB", "cuda:24GiB", "cuda:12GiB,cuda:12GiB"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_silo_killed_mid_stream_fails_its_callers_cleanly_spares_other_silos_and_its_pinned_model_comes_back()
    {
        var client = new ModelClient(_cluster.Client, 512);
        var pinned = TestModels.Large("hostloss-pinned");   // 16 GiB: one 24 GiB GPU, or the two 12 GiB ones
        var other = TestModels.Small("hostloss-other");
        var longRequest = new GenerateRequest { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = 2000 } };
        var (_, pinnedStream) = await client.GenerateAsync(pinned, longRequest with { KeepAlive = KeepAliveDuration.Forever })
            .ReadUntil(e => e.Kind == GenerationEventKind.Token);
        var (_, otherStream) = await client.GenerateAsync(other, longRequest with { Sampling = SamplingOptions.Default with { NumPredict = 600 } })
            .ReadUntil(e => e.Kind == GenerationEventKind.Token);
        var (victimSilo, _) = Assert.Single(await _cluster.WhereLoaded(pinned));
        Assert.Equal(_cluster.Silo(1), victimSilo);
        var (otherSilo, _) = Assert.Single(await _cluster.WhereLoaded(other));
        Assert.NotEqual(victimSilo, otherSilo);

        var survivorWithRoom = _cluster.Silo(2);
        var clock = Stopwatch.StartNew();
        await _cluster.KillSiloAsync(_cluster.SiloHandle(1));

        // The caller on the dead silo gets an error, not a hang.
        var failure = await Assert.ThrowsAsync<ModelHostLostException>(() => pinnedStream.Drain().WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("was lost mid-answer; retry", failure.Message);
        // The stream on a surviving silo is untouched and its reference count intact.
        var (_, otherRunner) = Assert.Single(await _cluster.WhereLoaded(other));
        Assert.Equal(1, otherRunner.RefCount);
        Assert.Equal(GenerationEventKind.Done, (await otherStream.Drain())[^1].Kind);

        // Nobody asks for the pinned model: its reminder brings it back where it fits (the 12 GiB pair).
        await ClusterView.Eventually(async () => await _cluster.IsLoaded(pinned), RestoreBound, "the pinned model is loaded again");
        var (restoredOn, restored) = Assert.Single(await _cluster.WhereLoaded(pinned));
        Assert.Equal(survivorWithRoom, restoredOn);
        Assert.Equal(2, restored.VramByGpu.Count);
        var events = await client.GenerateAsync(pinned, new GenerateRequest { Prompt = "again", Sampling = SamplingOptions.Default with { NumPredict = 3 } }).ToListAsync();
        Assert.DoesNotContain(events, e => e.Kind == GenerationEventKind.Queued); // it was already serving
        Assert.Equal(GenerationEventKind.Done, events[^1].Kind);
        Console.WriteLine($"pinned model serving again {clock.Elapsed.TotalSeconds:0.0} s after its host was killed");
    }
}
