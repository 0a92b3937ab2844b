using Orleans.TestingHost;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// After each way a model's life can go wrong or end — a failed or cancelled load, an expiry, an
/// unload, an eviction, a reload, a runner that fails its health check — the next request to that
/// model, and to another model on the same silo, is served in full, and the silo holds exactly one
/// reservation per model it has loaded.
/// </summary>
public sealed class AftermathTests : IAsyncLifetime
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _failAtLoad = new();
    private readonly RunnerHooks _hooks;
    private InProcessTestCluster _cluster = null!;

    public AftermathTests() =>
        _hooks = new RunnerHooks { Healthy = (path, load) => !_failAtLoad.TryGetValue(path, out var failing) || failing != load };

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:24GiB"], new Dictionary<string, string?>
        {
            ["Ollm:Runner"] = RunnerHooks.Kind,
            ["Ollm:Simulated:FailingModels:0"] = "broken",
            // 10 GB/s: the 14 GiB model loads in about 1.5 s, long enough to cancel during the load.
            ["Ollm:Simulated:LoadBytesPerSecond"] = "10000000000",
        }, _hooks.Register);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task After_a_failed_load_another_model_is_served_and_the_broken_one_fails_again_the_same_way()
    {
        var broken = TestModels.Medium("broken-aftermath");
        var other = TestModels.Small("healthy-neighbour");

        var first = await Assert.ThrowsAsync<ModelLoadException>(() => Serve(broken));

        await Serve(other);
        var second = await Assert.ThrowsAsync<ModelLoadException>(() => Serve(broken));
        Assert.Equal(first.Message, second.Message);
        await ReservationsEqualLoaded();
    }

    [Fact]
    public async Task After_the_only_caller_cancels_during_the_load_the_next_request_is_served()
    {
        var path = TestModels.Large("cancelled-load");
        using var cancel = new CancellationTokenSource();
        var abandoned = Client.GenerateAsync(path, Request(5), cancel.Token).ToListAsync().AsTask();
        await ClusterView.Eventually(async () => (await Status(path)).State == ModelState.Loading, TimeSpan.FromSeconds(30), "the load began");

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        await Serve(path);
        await Serve(TestModels.Small("after-cancelled-load"));
        await ReservationsEqualLoaded();
    }

    [Fact]
    public async Task After_keep_alive_expiry_the_next_request_loads_the_model_again_and_is_served()
    {
        var path = TestModels.Small("expiring");
        await Serve(path, Request(3) with { KeepAlive = KeepAliveDuration.From(TimeSpan.FromSeconds(1)) });

        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(path), TimeSpan.FromSeconds(30), "the model expired");

        await Serve(path);
        Assert.Equal(2, _hooks.Loads(path));
        await ReservationsEqualLoaded();
    }

    [Fact]
    public async Task After_an_explicit_unload_the_next_request_loads_the_model_again_and_is_served()
    {
        var path = TestModels.Small("unloaded");
        await Serve(path);

        await foreach (var _ in Client.GenerateAsync(path, new GenerateRequest { KeepAlive = KeepAliveDuration.Zero }))
        {
        }
        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(path), TimeSpan.FromSeconds(30), "the model unloaded");

        await Serve(path);
        await ReservationsEqualLoaded();
    }

    [Fact]
    public async Task An_evicted_model_requested_again_is_served_and_the_silo_never_holds_both()
    {
        // Two 14 GiB models cannot share the 24 GiB GPU: each request evicts the other, idle, model.
        var first = TestModels.Large("evicted-first");
        var second = TestModels.Large("evicted-second");
        await Serve(first);

        await Serve(second);
        Assert.False(await _cluster.IsLoaded(first));
        await Serve(first);

        Assert.False(await _cluster.IsLoaded(second));
        Assert.True(await _cluster.IsLoaded(first));
        Assert.Equal(2, _hooks.Loads(first));
        await ReservationsEqualLoaded();
    }

    [Fact]
    public async Task A_request_that_reloads_the_model_streams_every_token_and_its_statistics()
    {
        var path = TestModels.Small("reloaded");
        await Serve(path, Request(4) with { Runner = RunnerOptions.Default with { NumCtx = 2048 } });

        var events = await Serve(path, Request(7) with { Runner = RunnerOptions.Default with { NumCtx = 8192 } });

        Assert.Equal(7, events.Count(e => e.Kind == GenerationEventKind.Token));
        Assert.Equal(7, events[^1].Stats!.EvalCount);
        Assert.Equal(2, (await Status(path)).Loads);
        await ReservationsEqualLoaded();
    }

    [Fact]
    public async Task A_runner_that_fails_its_health_check_is_reloaded_for_the_next_request_and_one_reservation_remains()
    {
        var path = TestModels.Small("unhealthy");
        await Serve(path);

        _failAtLoad[path] = _hooks.Loads(path); // the runner loaded now fails its health checks
        await Serve(path);

        Assert.Equal(2, (await Status(path)).Loads);
        Assert.Equal(2, _hooks.Loads(path));
        await ReservationsEqualLoaded();
        Assert.Single(await _cluster.WhereLoaded(path));
    }

    private static GenerateRequest Request(int tokens) => new() { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = tokens } };

    /// <summary>The request is served in full: every token it asked for, then its statistics.</summary>
    private async Task<List<GenerationEvent>> Serve(string path, GenerateRequest? request = null)
    {
        request ??= Request(5);
        var events = await Client.GenerateAsync(path, request).ToListAsync();
        var tokens = request.Sampling.NumPredict;
        Assert.Equal(tokens, events.Count(e => e.Kind == GenerationEventKind.Token));
        Assert.Equal(GenerationEventKind.Done, events[^1].Kind);
        Assert.Equal(tokens, events[^1].Stats!.EvalCount);
        return events;
    }

    private Task<ModelStatus> Status(string path) => _cluster.Client.GetGrain<IModelGrain>(path).GetStatus();

    /// <summary>Once nothing is loading: every reservation is a model loaded there, and no model is reserved twice.</summary>
    private async Task ReservationsEqualLoaded()
    {
        await ClusterView.Eventually(async () => (await _cluster.Snapshots()).All(s => s.Host.Runners.All(r => !r.Loading)), TimeSpan.FromSeconds(30), "no load in progress");
        var reserved = (await _cluster.Snapshots()).SelectMany(s => s.Host.Runners.Select(r => (s.SiloAddress, r.ModelPath))).ToArray();
        Assert.Equal(reserved.Length, reserved.Select(r => r.ModelPath).Distinct().Count());
        foreach (var (silo, model) in reserved)
        {
            var status = await Status(model);
            Assert.True(status.State == ModelState.Ready && status.SiloAddress == silo, $"{Path.GetFileName(model)} is reserved on {silo} but its grain is {status.State} on {status.SiloAddress}");
        }
    }
}
