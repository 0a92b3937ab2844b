using Orleans.TestingHost;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Cluster.Tests;

/// <summary>Reads the cluster through the GPU silos only, so that looking never activates a model.</summary>
internal static class ClusterView
{
    public static async Task<IReadOnlyList<SiloSnapshot>> Snapshots(this InProcessTestCluster cluster) =>
        await Task.WhenAll(cluster.GetActiveSilos().Select(s => cluster.Client.GetGrain<IGpuSiloGrain>(s.SiloAddress.ToParsableString()).GetSnapshot()));

    /// <summary>Silos holding a loaded (not merely claimed or loading) runner of the model.</summary>
    public static async Task<IReadOnlyList<(string Silo, LoadedRunner Runner)>> WhereLoaded(this InProcessTestCluster cluster, string model) =>
        [.. (await cluster.Snapshots())
            .SelectMany(s => s.Host.Runners.Where(r => r.ModelPath == model && !r.Loading).Select(r => (s.SiloAddress, r)))];

    public static async Task<bool> IsLoaded(this InProcessTestCluster cluster, string model) => (await cluster.WhereLoaded(model)).Count > 0;

    public static async Task<long> LoadsGranted(this InProcessTestCluster cluster) => (await cluster.Snapshots()).Sum(s => s.LoadsGranted);

    /// <summary>Polls <paramref name="condition"/> until true or <paramref name="timeout"/>; no fixed sleeps.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not within {timeout}: {what}");
            await Task.Delay(25);
        }
    }

    /// <summary>The address of the silo configured with <c>siloGpus[index]</c> (silo names are <c>Silo_{index}</c>).</summary>
    public static string Silo(this InProcessTestCluster cluster, int index) => SiloHandle(cluster, index).SiloAddress.ToParsableString();

    public static InProcessSiloHandle SiloHandle(this InProcessTestCluster cluster, int index) =>
        cluster.Silos.Single(s => s.Name == $"Silo_{index}");

    /// <summary>Reads a stream until <paramref name="until"/> is seen, returning the events so far and the live enumerator.</summary>
    public static async Task<(List<GenerationEvent> Seen, IAsyncEnumerator<GenerationEvent> Remaining)> ReadUntil(
        this IAsyncEnumerable<GenerationEvent> stream, Func<GenerationEvent, bool> until, CancellationToken cancellationToken = default)
    {
        var enumerator = stream.GetAsyncEnumerator(cancellationToken);
        var seen = new List<GenerationEvent>();
        while (await enumerator.MoveNextAsync())
        {
            seen.Add(enumerator.Current);
            if (until(enumerator.Current))
                break;
        }
        return (seen, enumerator);
    }

    public static async Task<List<GenerationEvent>> Drain(this IAsyncEnumerator<GenerationEvent> rest)
    {
        var events = new List<GenerationEvent>();
        await using (rest)
        {
            while (await rest.MoveNextAsync())
                events.Add(rest.Current);
        }
        return events;
    }
}
