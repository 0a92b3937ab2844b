using Orleans.TestingHost;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>Three silos with one 10 GiB GPU each: room for three of six 5.4 GiB models at a time.</summary>
public sealed class RaceTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:10GiB", "cuda:10GiB", "cuda:10GiB"], new Dictionary<string, string?> { ["Ollm:MaxLoadedModels"] = "4" });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Thirty_concurrent_requests_for_six_models_all_complete_without_over_reserving_and_with_one_load_per_model()
    {
        var shuffle = new Random(30); // seeded: a failing order can be replayed
        var models = Enumerable.Range(0, 6).Select(i => TestModels.Medium($"race-{i}")).ToArray();
        var arrivals = Enumerable.Range(0, 30).Select(i => models[i % 6]).OrderBy(_ => shuffle.Next()).ToArray();
        var client = new ModelClient(_cluster.Client, 512);
        var violations = new List<string>();
        using var stop = new CancellationTokenSource();

        var watcher = Task.Run(async () =>
        {
            // The invariant, checked continuously while the requests race.
            while (!stop.IsCancellationRequested)
            {
                foreach (var snapshot in await _cluster.Snapshots())
                {
                    foreach (var gpu in snapshot.Host.Gpus)
                    {
                        var reserved = snapshot.Host.Runners.Sum(r => r.VramByGpu.GetValueOrDefault(gpu.Id));
                        if (reserved > gpu.TotalMemory)
                            violations.Add($"{snapshot.SiloAddress} GPU {gpu.Id}: {reserved} of {gpu.TotalMemory}");
                    }
                }
                await Task.Delay(10);
            }
        });
        var requests = arrivals.Select(model => client.GenerateAsync(model, new GenerateRequest
        {
            Prompt = "hi",
            Sampling = SamplingOptions.Default with { NumPredict = 20 },
        }).ToListAsync().AsTask()).ToArray();

        var results = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(90));
        await stop.CancelAsync();
        await watcher;

        Assert.All(results, events => Assert.Equal(GenerationEventKind.Done, events[^1].Kind));
        Assert.All(results, events => Assert.Equal(20, events.Count(e => e.Kind == GenerationEventKind.Token)));
        Assert.Empty(violations);
        // Every model's five requests arrive together and share its single load.
        Assert.Equal(6, await _cluster.LoadsGranted());
    }
}
