using Orleans.TestingHost;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// Embeddings take the generation's path: a wait for a load longer than Orleans' call timeout
/// (2 s here) is no error, and the queue bound counts them. One 48 GiB GPU; loads at 10 GB/s.
/// </summary>
public sealed class EmbedPathTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:48GiB"], new Dictionary<string, string?>
        {
            ["Ollm:Simulated:LoadBytesPerSecond"] = "10000000000",
        }, responseTimeout: TimeSpan.FromSeconds(2));

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task An_embedding_that_waits_longer_than_the_call_timeout_for_its_load_is_served()
    {
        // The 40 GiB model loads in about 4.3 s, over twice the call timeout.
        var result = await new ModelClient(_cluster.Client, 512).EmbedAsync(TestModels.Huge("embed-slow-load"), new EmbedRequest { Inputs = ["one", "two"] });

        Assert.Equal(2, result.Embeddings.Count);
        Assert.True(result.LoadDurationNs > TimeSpan.FromSeconds(2).TotalNanoseconds);
    }

    [Fact]
    public async Task Embeddings_waiting_for_a_load_count_against_the_queue_bound_and_concurrent_ones_are_served_together()
    {
        var client = new ModelClient(_cluster.Client, maxQueue: 2);
        var path = TestModels.Large("embed-queue");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 5).Select(async i =>
        {
            try
            {
                return (await client.EmbedAsync(path, new EmbedRequest { Inputs = [$"text {i}"] })).Embeddings.Count;
            }
            catch (ServerBusyException)
            {
                return -1;
            }
        }));

        Assert.Equal(2, outcomes.Count(o => o == 1));
        Assert.Equal(3, outcomes.Count(o => o == -1));
        Assert.Equal(0, client.Pending);
        Assert.Single((await new ModelClient(_cluster.Client, 2).EmbedAsync(path, new EmbedRequest { Inputs = ["after"] })).Embeddings);
    }
}
