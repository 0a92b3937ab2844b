using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Reporting;
using OrleansLlm.ChurnBench.Systems;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Scheduling.Autoscaling;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.ChurnBench.Tests;

/// <summary>
/// A short elastic run, the way the benchmark drives it: a control silo and no GPU host at first,
/// a burst of requests, then quiet. Hosts start from zero, every request is served, no GPU holds
/// more than it has, idle hosts are stopped, and the hosts cost less than the always-on cluster.
/// The autoscaler's delays are shortened so that all of it fits in four simulated minutes.
/// </summary>
[Collection(ChurnRunCollection.Name)]
public sealed class ElasticSmokeTests
{
    [Fact]
    public async Task From_zero_hosts_the_elastic_cluster_starts_hosts_serves_every_request_and_costs_less_than_always_on()
    {
        var scenario = new Scenario
        {
            Hosts = 2, Models = 4, Rate = 2, Duration = TimeSpan.FromMinutes(4), Speedup = 20, Seed = 7,
            Arrivals = ArrivalPattern.Step, Period = TimeSpan.FromMinutes(4),
            KeepAliveMix = [(TimeSpan.FromSeconds(30), 1)],
            HostStart = TimeSpan.FromSeconds(20),
            Autoscaler = AutoscalerSettings.Default with
            {
                ScaleInDelay = TimeSpan.FromSeconds(30), IdleToZeroDelay = TimeSpan.FromSeconds(45), MinHostLifetime = TimeSpan.FromSeconds(60),
            },
        };
        var random = new Random(scenario.Seed);
        var models = ModelSet.Create(scenario, Path.Combine(Path.GetTempPath(), "ollm-elastic-smoke"), random);
        var trace = WorkloadGenerator.Generate(scenario, models, random);
        var recorder = new Recorder(new BenchClock(TimeProvider.System, scenario.Speedup), ["host-0", "host-1"],
            ConfiguredGpuInventory.ParseGpus(scenario.HostGpus).Sum(g => g.TotalMemory));

        IReadOnlyList<RequestRecord> records;
        var elastic = new ElasticSystem(scenario, models, recorder);
        try
        {
            await elastic.StartAsync();
            records = await TraceDriver.RunAsync(elastic, trace, models, scenario, recorder);
            // Idle hosts are stopped after the (simulated) scale-in delays. On a loaded machine the
            // last requests end late in simulated time (a stalled second is 20 simulated ones), so
            // the trace may end before that: wait for the stop, up to ten simulated minutes more.
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!elastic.Run().Decisions.Any(d => d.Action == "stop" && d.Carried) && waited.Elapsed < TimeSpan.FromMinutes(10) / scenario.Speedup)
                await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
        finally
        {
            await elastic.DisposeAsync();
        }
        var run = elastic.Run();
        var report = ElasticReport.Compute(elastic.Name, records, recorder, scenario, models.ToDictionary(m => m.Name), run);

        Assert.NotEmpty(trace);
        Assert.True(run.Lives.Count > 0 && run.Lives.All(l => l.StartCalled > 0), "hosts should start from zero, after the first requests");
        Assert.Contains(run.Decisions, d => d.Action == "start" && d.Carried);
        var failed = records.Where(r => r.Error is not null).ToArray();
        Assert.True(failed.Length == 0, $"{failed.Length} of {records.Count} failed, first: {failed.FirstOrDefault()?.Error}");
        Assert.True(report.ArrivedAtZero > 0, "the first requests should have found no host");
        Assert.Empty(recorder.Overcommits);
        Assert.All(recorder.PeakVram.Values, peak => Assert.InRange(peak, 0, recorder.VramPerHost));
        Assert.Contains(run.Decisions, d => d.Action == "stop" && d.Carried);
        Assert.InRange(report.GpuSeconds, 1, 0.9 * scenario.Hosts * scenario.Duration.TotalSeconds);
    }
}
