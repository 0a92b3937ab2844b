using Orleans.TestingHost;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;

namespace OrleansLlm.Cluster.Tests;

/// <summary>One silo with an 80 GiB GPU: room for every model, so only keep-alive unloads.</summary>
public sealed class KeepAliveTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestClusters.StartAsync(["cuda:80GiB"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task An_idle_model_unloads_when_its_keep_alive_expires_and_expires_at_says_when()
    {
        var path = TestModels.Small("keepalive-expiry");

        await Generate(path, KeepAliveDuration.From(TimeSpan.FromSeconds(1.5)));
        var idleSince = DateTimeOffset.UtcNow;
        var status = await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus();

        Assert.Equal(ModelState.Ready, status.State);
        Assert.NotNull(status.ExpiresAt);
        Assert.InRange(status.ExpiresAt.Value, idleSince.AddSeconds(1), idleSince.AddSeconds(1.6));
        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(path), TimeSpan.FromSeconds(10), "the model unloads");
        Assert.True(DateTimeOffset.UtcNow >= status.ExpiresAt.Value.AddMilliseconds(-50));
    }

    [Fact]
    public async Task A_new_request_resets_the_countdown()
    {
        var path = TestModels.Small("keepalive-reset");
        var keepAlive = KeepAliveDuration.From(TimeSpan.FromSeconds(3));

        await Generate(path, keepAlive);
        var first = (await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus()).ExpiresAt!.Value;
        await Task.Delay(2000);
        await Generate(path, keepAlive);
        var second = (await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus()).ExpiresAt!.Value;
        var untilPastFirstDeadline = first - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300);
        if (untilPastFirstDeadline > TimeSpan.Zero)
            await Task.Delay(untilPastFirstDeadline);

        Assert.True(second > first.AddSeconds(1.5));
        Assert.True(await _cluster.IsLoaded(path), "the model expired on its first deadline although it was used again");
        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(path), TimeSpan.FromSeconds(10), "the model unloads after the second deadline");
    }

    [Fact]
    public async Task Keep_alive_zero_unloads_as_soon_as_the_model_is_idle()
    {
        var path = TestModels.Small("keepalive-zero");

        await Generate(path, KeepAliveDuration.Zero);

        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(path), TimeSpan.FromSeconds(2), "the model unloads at once");
    }

    [Fact]
    public async Task A_negative_keep_alive_never_unloads()
    {
        var path = TestModels.Small("keepalive-forever");

        await Generate(path, KeepAliveDuration.Forever);
        await Task.Delay(2500);

        Assert.True(await _cluster.IsLoaded(path));
        var status = await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus();
        Assert.True(status.KeepAlive.IsForever);
        Assert.Null(status.ExpiresAt);
    }

    [Fact]
    public async Task A_keep_alive_shorter_than_a_request_never_cuts_it_and_the_model_unloads_once_it_ends()
    {
        var path = TestModels.Small("keepalive-busy");
        var longRequest = new GenerateRequest
        {
            Prompt = "hi",
            KeepAlive = KeepAliveDuration.From(TimeSpan.FromMilliseconds(300)),
            Sampling = Scheduling.Options.SamplingOptions.Default with { NumPredict = 300 }, // 1.5 s of tokens
        };

        var events = await Client.GenerateAsync(path, longRequest).ToListAsync();

        Assert.Equal(300, events.Count(e => e.Kind == GenerationEventKind.Token));
        Assert.Equal(GenerationEventKind.Done, events[^1].Kind);
        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(path), TimeSpan.FromSeconds(5), "the model unloads after the request");
    }

    [Fact]
    public async Task A_load_only_request_loads_and_an_unload_request_unloads()
    {
        var path = TestModels.Small("keepalive-load-only");

        var load = await Client.GenerateAsync(path, new GenerateRequest()).ToListAsync();
        Assert.Equal("load", load[^1].DoneReason);
        Assert.True(await _cluster.IsLoaded(path));
        var expiresAt = (await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus()).ExpiresAt;
        Assert.True(expiresAt > DateTimeOffset.UtcNow.AddMinutes(4), "the default keep-alive is five minutes");

        var unload = await Client.GenerateAsync(path, new GenerateRequest { KeepAlive = KeepAliveDuration.Zero }).ToListAsync();
        Assert.Equal("unload", unload[^1].DoneReason);
        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(path), TimeSpan.FromSeconds(2), "the model unloads");
    }

    private Task<List<GenerationEvent>> Generate(string path, KeepAliveDuration keepAlive) =>
        Client.GenerateAsync(path, new GenerateRequest { Prompt = "hi", KeepAlive = keepAlive, Sampling = Scheduling.Options.SamplingOptions.Default with { NumPredict = 2 } }).ToListAsync().AsTask();
}
