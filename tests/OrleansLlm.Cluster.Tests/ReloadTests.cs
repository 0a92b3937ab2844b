using Orleans.TestingHost;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

public sealed class ReloadTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestClusters.StartAsync(["cuda:48GiB"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task Changed_runner_options_reload_the_model()
    {
        var path = TestModels.Small("reload-options");

        await Generate(path, new GenerateRequest { Runner = RunnerOptions.Default with { NumCtx = 2048 } });
        await Generate(path, new GenerateRequest { Runner = RunnerOptions.Default with { NumCtx = 8192 } });

        var status = await Status(path);
        Assert.Equal(2, status.Loads);
        Assert.Equal(8192, status.Options!.NumCtx);
    }

    [Fact]
    public async Task Changed_adapters_reload_the_model()
    {
        var path = TestModels.Small("reload-adapters");

        await Generate(path, new GenerateRequest());
        await Generate(path, new GenerateRequest { Adapters = ["/models/adapter.gguf"] });

        Assert.Equal(2, (await Status(path)).Loads);
    }

    [Fact]
    public async Task Sampling_options_and_a_smaller_num_ctx_do_not_reload()
    {
        var path = TestModels.Small("reload-none");

        await Generate(path, new GenerateRequest { Runner = RunnerOptions.Default with { NumCtx = 8192 } });
        await Generate(path, new GenerateRequest { Runner = RunnerOptions.Default with { NumCtx = 8192 }, Sampling = SamplingOptions.Default with { Temperature = 0, TopK = 1, NumPredict = 3 } });
        await Generate(path, new GenerateRequest { Runner = RunnerOptions.Default with { NumCtx = 1024 } });

        var status = await Status(path);
        Assert.Equal(1, status.Loads);
        Assert.Equal(8192, status.Options!.NumCtx);
    }

    [Fact]
    public async Task A_reload_waits_for_in_flight_requests_and_never_cuts_them()
    {
        var path = TestModels.Small("reload-drain");
        var (_, running) = await Client.GenerateAsync(path, new GenerateRequest { Prompt = "x", Sampling = SamplingOptions.Default with { NumPredict = 200 } })
            .ReadUntil(e => e.Kind == GenerationEventKind.Started);

        var reload = Generate(path, new GenerateRequest { Runner = RunnerOptions.Default with { NumCtx = 16384 } });
        var first = await running.Drain();
        await reload;

        Assert.Equal(200, first.Count(e => e.Kind == GenerationEventKind.Token));
        Assert.Equal(2, (await Status(path)).Loads);
    }

    private Task<List<GenerationEvent>> Generate(string path, GenerateRequest request) =>
        Client.GenerateAsync(path, request with { Prompt = "hi" }).ToListAsync().AsTask();

    private Task<ModelStatus> Status(string path) => _cluster.Client.GetGrain<IModelGrain>(path).GetStatus();
}

/// <summary>An 8 GiB silo and a 20 GiB silo.</summary>
public sealed class ReloadRelocationTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestClusters.StartAsync(["cuda:8GiB", "cuda:20GiB"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_reload_that_no_longer_fits_its_silo_moves_the_model_to_one_where_it_fits()
    {
        var client = new ModelClient(_cluster.Client, 512);
        var filler = TestModels.Large("relocate-filler");   // 14 GiB on the 20 GiB silo leaves it less free than the 8 GiB one
        var model = TestModels.Medium("relocate-model");    // 5 GiB at a 2k context, about 11 GiB at 32k
        await client.GenerateAsync(filler, new GenerateRequest { Prompt = "x" }).ToListAsync();
        await client.GenerateAsync(model, new GenerateRequest { Prompt = "x" }).ToListAsync();
        var (before, _) = Assert.Single(await _cluster.WhereLoaded(model));
        Assert.Equal(_cluster.Silo(0), before);

        var events = await client.GenerateAsync(model, new GenerateRequest { Prompt = "x", Runner = RunnerOptions.Default with { NumCtx = 32768 } }).ToListAsync();

        Assert.Equal(GenerationEventKind.Done, events[^1].Kind);
        var (after, runner) = Assert.Single(await _cluster.WhereLoaded(model));
        Assert.True(_cluster.Silo(1) == after,
            $"on {after} (the 8 GiB silo is {_cluster.Silo(0)}), {runner.TotalBytes} bytes, events: {string.Join(" ", events.Select(e => $"{e.Kind}@{e.SiloAddress}"))}");
        Assert.Equal(32768, (await _cluster.Client.GetGrain<IModelGrain>(model).GetStatus()).Options!.NumCtx);
        Assert.False(await _cluster.IsLoaded(filler), "the idle filler made room on the larger silo");
    }
}
