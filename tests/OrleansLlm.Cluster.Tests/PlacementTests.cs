using Orleans.TestingHost;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>Three silos: 8 GiB, 24 GiB, and two 12 GiB GPUs.</summary>
public sealed class PlacementTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestClusters.StartAsync(["cuda:8GiB", "cuda:24GiB", "cuda:12GiB,cuda:12GiB"]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task A_model_goes_to_the_silo_where_it_fits_on_one_gpu()
    {
        var path = TestModels.Large("placement-large");

        var events = await Client.GenerateAsync(path, new GenerateRequest { Prompt = "hi" }).ToListAsync();

        var status = await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus();
        Assert.Equal(ModelState.Ready, status.State);
        Assert.Equal(SiloOf(1), status.SiloAddress);
        Assert.Single(status.Devices);
        Assert.Equal(GenerationEventKind.Done, events[^1].Kind);
        Assert.Contains(events, e => e.Kind == GenerationEventKind.Token);
    }

    private string SiloOf(int index) => _cluster.Silos[index].SiloAddress.ToParsableString();
}
