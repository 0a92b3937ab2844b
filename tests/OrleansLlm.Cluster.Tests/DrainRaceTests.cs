using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// A silo drains just as a request kept alive for an hour ends: the stream's release (which writes
/// the durable intent) interleaves with the drain. The model must come back, loaded, wherever it is
/// placed next — found by the SIGTERM test of the Azure cluster on a loaded machine, where the drain
/// read the intent before the release had written it and forgot the model. And the caller, who had
/// the whole answer before the drain, must not get an error from the stream's close: Orleans fetches
/// the close with one more call, which reaches an activation that no longer knows the stream (seen
/// in CI's form on a loaded machine, where that call came after the drain).
/// </summary>
public sealed class DrainRaceTests : IAsyncLifetime
{
    private readonly HeldIdleReport _held = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:24GiB"], services: services => services.AddSingleton<IOutgoingGrainCallFilter>(_held));

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_model_kept_alive_whose_last_request_ends_during_a_drain_is_loaded_again_and_the_request_ends_without_error()
    {
        var path = TestModels.Small("kept-through-drain");
        var grain = _cluster.Client.GetGrain<IModelGrain>(path);
        var request = new GenerateRequest { Prompt = "hi", KeepAlive = KeepAliveDuration.From(TimeSpan.FromHours(1)), Sampling = SamplingOptions.Default with { NumPredict = 2 } };

        await using var served = new ModelClient(_cluster.Client, 512).GenerateAsync(path, request).GetAsyncEnumerator();
        var events = new List<GenerationEvent>();
        while (events is [] || events[^1].Kind != GenerationEventKind.Done)
        {
            Assert.True(await served.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)), "the stream ended before its Done event");
            events.Add(served.Current);
        }
        await _held.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));   // the request released the runner; its intent is not yet written
        Assert.True(await grain.Drain());
        _held.Open();

        await ClusterView.Eventually(async () => (await grain.GetStatus()).State == ModelState.Ready, TimeSpan.FromSeconds(30),
            "the model kept alive for an hour was loaded again after the drain");
        var status = await grain.GetStatus();
        Assert.Equal(KeepAliveDuration.From(TimeSpan.FromHours(1)), status.KeepAlive);

        // The stream's close, asked for only now, reaches the activation placed after the drain.
        Assert.False(await served.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(2, events[^1].Stats!.EvalCount);
        Assert.Equal(GenerationEventKind.Done, (await new ModelClient(_cluster.Client, 512).GenerateAsync(path, request).ToListAsync())[^1].Kind);
    }

    /// <summary>Holds the model grain's first usage report of an idle model (no request left) before it is sent, until the test opens it.</summary>
    private sealed class HeldIdleReport : IOutgoingGrainCallFilter
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public async Task Invoke(IOutgoingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(IGpuSiloGrain.ReportUsage) && context.Request.GetArgument(1) is RunnerUsage { RefCount: 0 }
                && Interlocked.Exchange(ref _held, 1) == 0)
            {
                Started.TrySetResult();
                await _open.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            await context.Invoke();
        }
    }
}
