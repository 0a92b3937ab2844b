using Orleans.TestingHost;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// <c>OLLAMA_LOAD_TIMEOUT</c> (2 s here) measures a stalled load, as in the seed: not the wait for
/// GPU room, and not a slow load that keeps reporting progress.
/// </summary>
public sealed class LoadTimeoutTests : IAsyncLifetime
{
    private readonly RunnerHooks _hooks = new()
    {
        // A model named "stalled" reports half its load, then nothing more.
        Load = (request, progress, cancellationToken) =>
        {
            if (!Path.GetFileName(request.ModelPath).StartsWith("stalled", StringComparison.Ordinal))
                return null;
            progress?.Report(0.5f);
            return Task.Delay(Timeout.Infinite, cancellationToken);
        },
    };

    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:48GiB"], new Dictionary<string, string?>
        {
            // Four seconds: about seven progress steps of a slow load, so that a loaded 2-core machine
            // stalling a step by three seconds does not look like a stalled load (2 s did, once).
            ["Ollm:LoadTimeout"] = "00:00:04",
            ["Ollm:Runner"] = RunnerHooks.Kind,
            // 8 GB/s: a 14 GiB model loads in 1.9 s, a 40 GiB one in 5.4 s (ten steps of 0.54 s).
            ["Ollm:Simulated:LoadBytesPerSecond"] = "8000000000",
        }, _hooks.Register);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task A_load_that_waits_longer_than_the_timeout_for_room_still_loads()
    {
        // The busy 14 GiB model streams for about 6 s; the 40 GiB one cannot load beside it until then.
        var busy = TestModels.Large("timeout-busy");
        var (_, running) = await Client.GenerateAsync(busy, Request(1200)).ReadUntil(e => e.Kind == GenerationEventKind.Token);

        var waiting = Client.GenerateAsync(TestModels.Huge("timeout-waiting"), Request(2)).ToListAsync().AsTask();

        Assert.Equal(1200, (await running.Drain()).Count(e => e.Kind == GenerationEventKind.Token) + 1);
        Assert.Equal(GenerationEventKind.Done, (await waiting)[^1].Kind);
    }

    [Fact]
    public async Task A_slow_load_that_keeps_progressing_is_not_timed_out()
    {
        var events = await Client.GenerateAsync(TestModels.Huge("timeout-slow"), Request(2)).ToListAsync();

        Assert.Equal(GenerationEventKind.Done, events[^1].Kind);
        Assert.True(events[^1].Stats!.LoadDurationNs > TimeSpan.FromSeconds(4).TotalNanoseconds, "the load took longer than the timeout");
    }

    [Fact]
    public async Task A_load_that_stops_progressing_fails_with_the_timeout_and_the_next_model_loads()
    {
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => Client.GenerateAsync(TestModels.Small("stalled"), Request(2)).ToListAsync().AsTask());

        Assert.StartsWith("timed out waiting for llama runner to start - progress 0.50", error.Message, StringComparison.Ordinal);
        Assert.Contains("OLLAMA_LOAD_TIMEOUT", error.Message);
        Assert.Equal(GenerationEventKind.Done, (await Client.GenerateAsync(TestModels.Small("after-stalled"), Request(2)).ToListAsync())[^1].Kind);
    }

    private static GenerateRequest Request(int tokens) => new() { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = tokens } };
}
