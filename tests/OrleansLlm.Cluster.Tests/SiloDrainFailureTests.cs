using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// A silo's graceful shutdown when one model cannot be drained (its call fails: seen when the
/// last GPU silo left and the model had nowhere to be placed): the silo still leaves cleanly, and
/// the other models on it are drained. Found by the churn smoke test, whose cluster stops its
/// silos one after another.
/// </summary>
public sealed class SiloDrainFailureTests : IAsyncLifetime
{
    private readonly FailingDrain _drains = new();
    private InProcessTestCluster _cluster = null!;

    // Both models go to silo 1, where most memory is free; one fits silo 0 when silo 1 has left.
    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:4GiB", "cuda:24GiB"], services: services => services.AddSingleton<IIncomingGrainCallFilter>(_drains));

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_model_that_cannot_be_drained_keeps_neither_the_silo_from_leaving_nor_the_others_from_draining()
    {
        var undrainable = TestModels.Small("undrainable");
        var other = TestModels.Small("drained-beside-it");
        foreach (var path in new[] { undrainable, other })
            await Generate(path);
        Assert.Equal(_cluster.Silo(1), (await _cluster.WhereLoaded(undrainable)).Single().Silo);
        Assert.Equal(_cluster.Silo(1), (await _cluster.WhereLoaded(other)).Single().Silo);

        await _cluster.StopSiloAsync(_cluster.SiloHandle(1)).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Contains(undrainable, _drains.Asked);
        Assert.Contains(other, _drains.Asked);
        // The cluster goes on: a request to a model that fits the silo left is served there.
        var served = await Generate(TestModels.Small("after-the-drain"));
        Assert.Equal(GenerationEventKind.Done, served[^1].Kind);
    }

    private Task<List<GenerationEvent>> Generate(string path) =>
        new ModelClient(_cluster.Client, 512).GenerateAsync(path, new GenerateRequest
        {
            Prompt = "hi", KeepAlive = KeepAliveDuration.From(TimeSpan.FromMinutes(10)), Sampling = SamplingOptions.Default with { NumPredict = 2 },
        }).ToListAsync().AsTask();

    /// <summary>Fails every <c>Drain</c> of the model named "undrainable", as a placement with nowhere to go does; records which models were asked.</summary>
    private sealed class FailingDrain : IIncomingGrainCallFilter
    {
        public System.Collections.Concurrent.ConcurrentBag<string> Asked { get; } = [];

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(IModelGrain.Drain) && context.Grain is IModelGrain && context.TargetId.Key.ToString() is { } key)
            {
                Asked.Add(key);
                if (key.Contains("undrainable", StringComparison.Ordinal))
                    throw new NoGpuHostException($"no GPU host is running to place model '{key}'");
            }
            return context.Invoke();
        }
    }
}
