using Orleans.TestingHost;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>Three silos: one 8 GiB GPU, one 24 GiB GPU, two 12 GiB GPUs.</summary>
public sealed class PlacementTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestClusters.StartAsync(["cuda:8GiB", "cuda:24GiB", "cuda:12GiB,cuda:12GiB"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task A_model_goes_to_the_silo_where_it_fits_and_one_gpu_is_preferred_to_a_split()
    {
        // 16 GiB fits the 24 GiB GPU alone, or the two 12 GiB GPUs split; never the 8 GiB silo.
        var path = TestModels.Large("placement-large");

        var events = await Client.GenerateAsync(path, new GenerateRequest { Prompt = "hi" }).ToListAsync();

        var (silo, runner) = Assert.Single(await _cluster.WhereLoaded(path));
        Assert.Equal(_cluster.Silo(1), silo);
        Assert.Single(runner.VramByGpu);
        Assert.Equal(GenerationEventKind.Done, events[^1].Kind);
        Assert.Contains(events, e => e.Kind == GenerationEventKind.Token);
    }

    [Fact]
    public async Task A_model_too_big_for_every_silo_is_refused_with_what_it_needs_and_what_there_is()
    {
        var path = TestModels.Enormous("placement-enormous");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => Client.GenerateAsync(path, new GenerateRequest { Prompt = "hi" }).ToListAsync().AsTask());

        Assert.Matches(@"model requires [\d.]+ GiB but only [\d.]+ GiB of GPU and system memory is available", error.Message);
        Assert.Empty(await _cluster.WhereLoaded(path));
    }

    [Fact]
    public async Task Num_gpu_zero_places_the_model_on_a_cpu()
    {
        var path = TestModels.Small("placement-cpu");

        await Client.GenerateAsync(path, new GenerateRequest { Prompt = "hi", Runner = RunnerOptions.Default with { NumGpu = 0 } }).ToListAsync();

        var (_, runner) = Assert.Single(await _cluster.WhereLoaded(path));
        Assert.Empty(runner.VramByGpu);
        var status = await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus();
        Assert.All(status.Devices, d => Assert.True(d.IsCpu));
    }

    [Fact]
    public async Task Two_requests_share_one_runner_and_no_other_silo_loads_a_copy()
    {
        var path = TestModels.Medium("placement-shared");
        var request = new GenerateRequest { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = 200 } };

        var (_, first) = await Client.GenerateAsync(path, request).ReadUntil(e => e.Kind == GenerationEventKind.Started);
        var (_, second) = await Client.GenerateAsync(path, request).ReadUntil(e => e.Kind == GenerationEventKind.Started);
        var status = await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus();
        var third = await Client.GenerateAsync(path, request with { Sampling = SamplingOptions.Default with { NumPredict = 1 } }).ToListAsync();

        Assert.Equal(2, status.RefCount);
        Assert.Equal(1, status.Loads);
        var (_, runner) = Assert.Single(await _cluster.WhereLoaded(path));
        Assert.Equal(3, runner.RefCount + 1); // the third finished; the first two are still streaming
        Assert.Equal(GenerationEventKind.Done, third[^1].Kind);
        Assert.Equal(GenerationEventKind.Done, (await first.Drain())[^1].Kind);
        Assert.Equal(GenerationEventKind.Done, (await second.Drain())[^1].Kind);
        Assert.Equal(0, (await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus()).RefCount);
    }
}

/// <summary>OLLAMA_SCHED_SPREAD on a silo with two 24 GiB GPUs.</summary>
public sealed class SpreadPlacementTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:24GiB,cuda:24GiB"], new Dictionary<string, string?> { ["Ollm:SchedSpread"] = "true" });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Spread_mode_splits_a_model_over_all_gpus_even_when_one_would_do()
    {
        var path = TestModels.Medium("spread-medium");

        await new ModelClient(_cluster.Client, 512).GenerateAsync(path, new GenerateRequest { Prompt = "hi" }).ToListAsync();

        var (_, runner) = Assert.Single(await _cluster.WhereLoaded(path));
        Assert.Equal(2, runner.VramByGpu.Count);
    }
}
