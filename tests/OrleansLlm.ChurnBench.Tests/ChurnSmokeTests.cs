using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Systems;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.ChurnBench.Tests;

/// <summary>
/// A short churn run against the real cluster (two silos, six models that do not all fit), the
/// way the benchmark drives it: the GPUs are never over-committed and the requests are served.
/// (The race that once over-committed a GPU has its own deterministic test in the cluster tests.)
/// </summary>
[Collection(ChurnRunCollection.Name)]
public sealed class ChurnSmokeTests
{
    [Fact]
    public async Task Under_churn_the_cluster_never_holds_more_GPU_memory_than_a_host_has_and_serves_its_requests()
    {
        var scenario = new Scenario
        {
            Hosts = 2, Models = 6, Rate = 2, Duration = TimeSpan.FromMinutes(2), Speedup = 20, Seed = 7,
            KeepAliveMix = [(TimeSpan.FromSeconds(30), 1), (TimeSpan.Zero, 0.3)],
        };
        var random = new Random(scenario.Seed);
        var models = ModelSet.Create(scenario, Path.Combine(Path.GetTempPath(), "ollm-churn-smoke"), random);
        var trace = WorkloadGenerator.Generate(scenario, models, random);
        var recorder = new Recorder(new BenchClock(TimeProvider.System, scenario.Speedup), ["host-0", "host-1"],
            ConfiguredGpuInventory.ParseGpus(scenario.HostGpus).Sum(g => g.TotalMemory));

        IReadOnlyList<RequestRecord> records;
        await using (var cluster = new ClusterSystem(scenario, models, recorder))
        {
            await cluster.StartAsync();
            records = await TraceDriver.RunAsync(cluster, trace, models, scenario, recorder);
        }

        Assert.Empty(recorder.Overcommits);
        Assert.All(recorder.PeakVram.Values, peak => Assert.InRange(peak, 1, recorder.VramPerHost));
        Assert.True(recorder.Loads.Count(l => l.Succeeded) >= models.Count / 2, "models should have loaded");
        // No failure is tolerated: at 2 req/s two hosts have room and time for every request (no
        // queue bound is reached, nothing is too large to place), so any error is a scheduler defect.
        var failed = records.Where(r => r.Error is not null).ToArray();
        Assert.True(failed.Length == 0, $"{failed.Length} of {records.Count} failed, first: {failed.FirstOrDefault()?.Error}");
    }
}
