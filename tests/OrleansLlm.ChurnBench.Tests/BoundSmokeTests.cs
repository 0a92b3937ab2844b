using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Reporting;
using OrleansLlm.ChurnBench.Systems;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.ChurnBench.Tests;

/// <summary>
/// Short runs of one trace against the bound and the systems it bounds, the way the benchmark
/// drives them: the bound loads nothing and no system beats its TTFT; the affinity router loads
/// less than round-robin.
/// </summary>
[Collection(ChurnRunCollection.Name)]
public sealed class BoundSmokeTests
{
    [Fact]
    public async Task No_system_beats_the_bounds_TTFT_on_the_same_trace()
    {
        var scenario = new Scenario
        {
            Hosts = 2, Models = 6, Rate = 2, Duration = TimeSpan.FromMinutes(2), Speedup = 10, Seed = 11,
            KeepAliveMix = [(TimeSpan.FromSeconds(30), 1), (TimeSpan.Zero, 0.3)],
        };
        var runs = await Run(scenario, "ollm-bound-smoke", BoundSystem.SystemName, "baseline-affinity", "baseline-rr", "cluster");

        var bound = runs[BoundSystem.SystemName];
        Assert.Equal(bound.Requests, bound.Completed);
        Assert.Equal(0, bound.Loads);
        Assert.Equal(0, bound.Cold);
        foreach (var (name, report) in runs.Where(r => r.Key != BoundSystem.SystemName))
        {
            Assert.True(bound.TtftP99 <= report.TtftP99, $"bound's TTFT p99 {bound.TtftP99:0.00} s is above {name}'s {report.TtftP99:0.00} s");
            Assert.True(bound.TtftMean <= report.TtftMean, $"bound's mean TTFT {bound.TtftMean:0.00} s is above {name}'s {report.TtftMean:0.00} s");
        }
        var affinity = runs["baseline-affinity"];
        Assert.Equal(affinity.Requests, affinity.Completed);
    }

    /// <summary>
    /// Three models kept alive, which fit in one host's memory: affinity loads each about once,
    /// round-robin each on both hosts. (On the trace above, six models some kept alive 0 s, both
    /// routers mostly reload and evict, and that hid the difference on a loaded machine: 113 loads
    /// against 112, seen once.)
    /// </summary>
    [Fact]
    public async Task Affinity_loads_less_than_round_robin_which_sends_every_model_everywhere()
    {
        var scenario = new Scenario
        {
            Hosts = 2, Models = 3, Rate = 2, Duration = TimeSpan.FromMinutes(1), Speedup = 10, Seed = 11,
            KeepAliveMix = [(TimeSpan.FromSeconds(30), 1)],
        };
        var runs = await Run(scenario, "ollm-affinity-smoke", "baseline-affinity", "baseline-rr");

        var affinity = runs["baseline-affinity"];
        var roundRobin = runs["baseline-rr"];
        Assert.Equal(affinity.Requests, affinity.Completed);
        Assert.True(affinity.Loads < roundRobin.Loads, $"affinity loaded {affinity.Loads} times, round-robin {roundRobin.Loads}");
    }

    /// <summary>Runs one trace against each system in turn, the way the benchmark does.</summary>
    private static async Task<Dictionary<string, SystemReport>> Run(Scenario scenario, string directory, params string[] systems)
    {
        var random = new Random(scenario.Seed);
        var models = ModelSet.Create(scenario, Path.Combine(Path.GetTempPath(), directory), random);
        var trace = WorkloadGenerator.Generate(scenario, models, random);
        var runs = new Dictionary<string, SystemReport>();
        foreach (var name in systems)
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
            runs[name] = SystemReport.Compute(name, records, recorder, scenario.Duration.TotalSeconds, scenario.ThrashWindow.TotalSeconds);
        }
        return runs;
    }
}
