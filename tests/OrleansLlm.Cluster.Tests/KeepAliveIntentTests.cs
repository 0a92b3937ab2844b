using Orleans.TestingHost;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// Whose keep-alive a model keeps: each request brings its own or gets the server's default
/// (<c>OLLAMA_KEEP_ALIVE</c>, here 10 minutes); the saved intent only restores a model after host
/// loss. And a load that every caller walked away from still starts its countdown.
/// </summary>
public sealed class KeepAliveIntentTests : IAsyncLifetime
{
    private static readonly KeepAliveDuration ServerDefault = KeepAliveDuration.From(TimeSpan.FromMinutes(10));
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:48GiB"], new Dictionary<string, string?>
        {
            ["Ollm:KeepAlive"] = "10m",
            // 10 GB/s: the 14 GiB model loads in about 1.5 s, long enough to walk away during the load.
            ["Ollm:Simulated:LoadBytesPerSecond"] = "10000000000",
        });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task A_request_without_keep_alive_gets_the_server_default()
    {
        var path = TestModels.Small("default-keepalive");

        await Generate(path, keepAlive: null);

        var status = await Status(path);
        Assert.Equal(ServerDefault, status.KeepAlive);
        Assert.InRange(status.ExpiresAt!.Value, DateTimeOffset.UtcNow.AddMinutes(9), DateTimeOffset.UtcNow.AddMinutes(10));
    }

    [Fact]
    public async Task After_a_pinned_model_is_stopped_a_plain_request_does_not_pin_it_again()
    {
        var path = TestModels.Small("pinned-then-stopped");
        await Generate(path, KeepAliveDuration.Forever);
        Assert.True((await Status(path)).KeepAlive.IsForever);

        await _cluster.Client.GetGrain<IModelGrain>(path).Unload();
        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(path), TimeSpan.FromSeconds(30), "the model unloaded");
        await Generate(path, keepAlive: null);

        var status = await Status(path);
        Assert.Equal(ServerDefault, status.KeepAlive);
        Assert.NotNull(status.ExpiresAt);
    }

    [Fact]
    public async Task A_plain_request_after_one_with_keep_alive_zero_keeps_the_model_for_the_default()
    {
        var path = TestModels.Small("zero-then-plain");
        await Generate(path, KeepAliveDuration.Zero);
        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(path), TimeSpan.FromSeconds(30), "keep_alive 0 unloaded it");

        await Generate(path, keepAlive: null);

        Assert.True(await _cluster.IsLoaded(path));
        Assert.Equal(ServerDefault, (await Status(path)).KeepAlive);
    }

    [Fact]
    public async Task A_load_whose_callers_all_left_starts_its_countdown_when_it_finishes()
    {
        var path = TestModels.Large("orphaned-load");
        await WalkAwayDuringLoad(path, KeepAliveDuration.From(TimeSpan.FromSeconds(2)));

        await ClusterView.Eventually(async () => (await Status(path)).State == ModelState.Ready, TimeSpan.FromSeconds(30), "the load finished");
        Assert.NotNull((await Status(path)).ExpiresAt);

        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(path), TimeSpan.FromSeconds(30), "the orphaned model expired");
    }

    [Fact]
    public async Task A_load_with_keep_alive_zero_whose_callers_all_left_unloads_when_it_finishes()
    {
        var path = TestModels.Large("orphaned-zero");
        await WalkAwayDuringLoad(path, KeepAliveDuration.Zero);

        await ClusterView.Eventually(async () => (await _cluster.LoadsGranted()) > 0 && !await _cluster.IsLoaded(path) && (await Status(path)).State == ModelState.Unloaded,
            TimeSpan.FromSeconds(30), "the orphaned model unloaded");
        await Generate(path, keepAlive: null); // and the next request is served
    }

    /// <summary>Starts a request that must load the model, and cancels it once the load is under way.</summary>
    private async Task WalkAwayDuringLoad(string path, KeepAliveDuration keepAlive)
    {
        using var cancel = new CancellationTokenSource();
        var request = new GenerateRequest { Prompt = "hi", KeepAlive = keepAlive, Sampling = SamplingOptions.Default with { NumPredict = 2 } };
        var abandoned = Client.GenerateAsync(path, request, cancel.Token).ToListAsync().AsTask();
        await ClusterView.Eventually(async () => (await Status(path)).State == ModelState.Loading, TimeSpan.FromSeconds(30), "the load began");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.Equal(ModelState.Loading, (await Status(path)).State); // the caller left before the load finished
    }

    private async Task Generate(string path, KeepAliveDuration? keepAlive)
    {
        var events = await Client.GenerateAsync(path, new GenerateRequest { Prompt = "hi", KeepAlive = keepAlive, Sampling = SamplingOptions.Default with { NumPredict = 2 } }).ToListAsync();
        Assert.Equal(GenerationEventKind.Done, events[^1].Kind);
    }

    private Task<ModelStatus> Status(string path) => _cluster.Client.GetGrain<IModelGrain>(path).GetStatus();
}
