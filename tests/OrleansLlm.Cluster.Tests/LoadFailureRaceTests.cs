using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// Clients retrying a model that fails to load: while a failed load is still releasing its room,
/// a new request starts the next load, and a third request waits for that one — it must get the
/// load's own error, never a broken grain.
/// </summary>
public sealed class LoadFailureRaceTests : IAsyncLifetime
{
    private readonly SlowRelease _slowRelease = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:24GiB"], new Dictionary<string, string?>
        {
            ["Ollm:Simulated:FailingModels:0"] = "broken",
            ["Ollm:Simulated:LoadBytesPerSecond"] = "10000000000",
        }, services => services.AddSingleton<IIncomingGrainCallFilter>(_slowRelease));

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task A_request_that_waits_for_a_load_started_during_a_failed_loads_release_gets_the_load_error()
    {
        var path = TestModels.Medium("broken-retried");
        var grain = _cluster.Client.GetGrain<IModelGrain>(path);

        var first = Generate(path);
        await _slowRelease.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));      // the failed load now releases its room, slowly
        var second = Generate(path);                                                // sees the model unloaded: the next load
        await ClusterView.Eventually(async () => (await grain.GetStatus()).State == ModelState.Loading, TimeSpan.FromSeconds(30), "the second load began");
        _slowRelease.Open();
        await Task.WhenAll(first.ContinueWith(_ => { }, TaskScheduler.Default));   // the failed load has finished its release
        var third = Generate(path);                                                 // waits for the second load

        foreach (var attempt in new[] { first, second, third })
        {
            var error = await Assert.ThrowsAsync<ModelLoadException>(() => attempt);
            Assert.Contains("simulated failure loading", error.Message);
        }
    }

    private Task<List<GenerationEvent>> Generate(string path) =>
        Client.GenerateAsync(path, new GenerateRequest { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = 2 } }).ToListAsync().AsTask();

    /// <summary>Holds the first <c>Release</c> of the GPU silo until the test opens it.</summary>
    private sealed class SlowRelease : IIncomingGrainCallFilter
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(IGpuSiloGrain.Release) && context.Grain is IGpuSiloGrain && Interlocked.Exchange(ref _held, 1) == 0)
            {
                Started.TrySetResult();
                await _open.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            await context.Invoke();
        }
    }
}
