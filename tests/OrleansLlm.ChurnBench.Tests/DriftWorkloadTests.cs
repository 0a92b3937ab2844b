using OrleansLlm.ChurnBench.Workload;

namespace OrleansLlm.ChurnBench.Tests;

/// <summary>The drifting, bursty trace: its hot set changes every phase, its bursts are faster than its calm, it is seeded and replayable.</summary>
public sealed class DriftWorkloadTests
{
    private static readonly Scenario Drifting = new() { Drift = true, Models = 12, Rate = 5, Duration = TimeSpan.FromMinutes(30), Phase = TimeSpan.FromMinutes(5), Seed = 3 };

    [Fact]
    public void The_most_requested_models_of_one_phase_are_not_those_of_the_next()
    {
        var (models, trace) = Generate(Drifting);
        var phases = trace.GroupBy(r => (int)(r.Arrival / Drifting.Phase.TotalSeconds)).OrderBy(g => g.Key).ToArray();
        Assert.Equal(6, phases.Length);
        var hot = phases.Select(p => p.GroupBy(r => r.Model).OrderByDescending(g => g.Count()).Take(3).Select(g => g.Key).ToHashSet()).ToArray();
        for (var i = 1; i < hot.Length; i++)
            Assert.False(hot[i].Overlaps(hot[i - 1]), $"phase {i} keeps some of the hot set of phase {i - 1}: {string.Join(", ", hot[i])}");
        // Over the whole run the load spreads: no model takes most of it, as a fixed Zipf's top model would.
        Assert.True(trace.GroupBy(r => r.Model).Max(g => g.Count()) < 0.3 * trace.Count);
        Assert.Equal(12, models.Count);
    }

    [Fact]
    public void Arrivals_keep_the_mean_rate_and_come_in_bursts()
    {
        var (_, trace) = Generate(Drifting);
        var rate = trace.Count / Drifting.Duration.TotalSeconds;
        Assert.InRange(rate, 0.8 * Drifting.Rate, 1.2 * Drifting.Rate);
        // Per 10-second window: a Poisson stream at 5 req/s rarely passes 80 in one; bursts at 20 req/s do.
        var windows = trace.GroupBy(r => (int)(r.Arrival / 10)).Select(g => g.Count()).ToArray();
        Assert.Contains(windows, n => n >= 120);
    }

    [Fact]
    public void The_same_seed_gives_the_same_trace_and_it_replays_through_the_trace_file()
    {
        var (_, first) = Generate(Drifting);
        var (_, second) = Generate(Drifting);
        Assert.Equal(first, second);

        var path = Path.Combine(Path.GetTempPath(), $"ollm-drift-{Environment.ProcessId}.csv");
        TraceCsv.Write(path, first);
        var replayed = TraceCsv.Read(path);
        Assert.Equal(first.Select(r => (r.Model, r.PromptTokens, r.OutputTokens)), replayed.Select(r => (r.Model, r.PromptTokens, r.OutputTokens)));
        Assert.All(first.Zip(replayed), p => Assert.InRange(Math.Abs(p.First.Arrival - p.Second.Arrival), 0, 1e-6));   // written to the microsecond
    }

    private static (IReadOnlyList<BenchModel> Models, IReadOnlyList<TraceRequest> Trace) Generate(Scenario scenario)
    {
        var random = new Random(scenario.Seed);
        var models = ModelSet.Create(scenario, Path.Combine(Path.GetTempPath(), "ollm-drift-tests"), random);
        return (models, DriftGenerator.Generate(scenario, models, random));
    }
}
