using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Reporting;
using OrleansLlm.ChurnBench.Systems;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.ChurnBench.Tests;

/// <summary>
/// A short run of one trace against the bound and the systems it bounds, the way the benchmark
/// drives them: the bound loads nothing and no system beats its TTFT; the affinity router loads
/// less than round-robin, which sends every model everywhere.
/// </summary>
[Collection(ChurnRunCollection.Name)]
public sealed class BoundSmokeTests
{
    [Fact]
    public async Task No_system_beats_the_bounds_TTFT_on_the_same_trace_and_affinity_loads_less_than_round_robin()
    {
        var scenario = new Scenario
        {
            Hosts = 2, Models = 6, Rate = 2, Duration = TimeSpan.FromMinutes(2), Speedup = 10, Seed = 11,
            KeepAliveMix = [(TimeSpan.FromSeconds(30), 1), (TimeSpan.Zero, 0.3)],
        };
        var random = new Random(scenario.Seed);
        var models = ModelSet.Create(scenario, Path.Combine(Path.GetTempPath(), "ollm-bound-smoke"), random);
        var trace = WorkloadGenerator.Generate(scenario, models, random);

        var runs = new Dictionary<string, (SystemReport Report, Recorder Recorder)>();
        foreach (var name in new[] { BoundSystem.SystemName, "baseline-affinity", "baseline-rr", "cluster" })
        {
            var recorder = new Recorder(new BenchClock(TimeProvider.System, scenario.Speedup), ["host-0", "host-1"],
                ConfiguredGpuInventory.ParseGpus(scenario.HostGpus).Sum(g => g.TotalMemory));
            ISystemUnderTest system = name switch
            {
                BoundSystem.SystemName => new BoundSystem(scenario, models, recorder),
                "baseline-affinity" => new BaselineSystem(name, new HostRouter.Affinity(scenario.Hosts), scenario, models, recorder),
                "baseline-rr" => new BaselineSystem(name, new HostRouter.RoundRobin(scenario.Hosts), scenario, models, recorder),
                _ => new ClusterSystem(scenario, models, recorder),
            };
            IReadOnlyList<RequestRecord> records;
            await using (system)
            {
                await system.StartAsync();
                records = await TraceDriver.RunAsync(system, trace, models, scenario, recorder);
            }
            runs[name] = (SystemReport.Compute(name, records, recorder, scenario.Duration.TotalSeconds, scenario.ThrashWindow.TotalSeconds), recorder);
        }

        var bound = runs[BoundSystem.SystemName].Report;
        Assert.Equal(bound.Requests, bound.Completed);
        Assert.Equal(0, bound.Loads);
        Assert.Equal(0, bound.Cold);
        foreach (var (name, (report, _)) in runs.Where(r => r.Key != BoundSystem.SystemName))
        {
            Assert.True(bound.TtftP99 <= report.TtftP99, $"bound's TTFT p99 {bound.TtftP99:0.00} s is above {name}'s {report.TtftP99:0.00} s");
            Assert.True(bound.TtftMean <= report.TtftMean, $"bound's mean TTFT {bound.TtftMean:0.00} s is above {name}'s {report.TtftMean:0.00} s");
        }
        var affinity = runs["baseline-affinity"].Report;
        Assert.Equal(affinity.Requests, affinity.Completed);
        Assert.True(affinity.Loads < runs["baseline-rr"].Report.Loads, $"affinity loaded {affinity.Loads} times, round-robin {runs["baseline-rr"].Report.Loads}");
    }
}
