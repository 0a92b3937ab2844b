using MathNet.Numerics.Distributions;

namespace OrleansLlm.ChurnBench.Workload;

/// <summary>
/// The drifting, bursty trace (<c>--drift</c>): calm and burst arrivals (<see cref="BurstArrivals"/>),
/// a hot set that rotates every phase (<see cref="RotatingPopularity"/>), and log-normal lengths
/// with the same medians as the steady trace but half again the spread (heavier tails), cut to fit
/// one slot's context as there.
/// </summary>
internal static class DriftGenerator
{
    /// <summary>How much wider the length distributions are than the steady trace's.</summary>
    public const double TailFactor = 1.5;

    public static IReadOnlyList<TraceRequest> Generate(Scenario scenario, IReadOnlyList<BenchModel> models, Random random)
    {
        var arrivals = BurstArrivals.Times(scenario.Rate, scenario.Duration.TotalSeconds, random);
        var popularity = new RotatingPopularity(models, scenario.ZipfS, scenario.Phase, random);
        var prompts = new LogNormal(Math.Log(scenario.PromptMedian), scenario.PromptSigma * TailFactor, random);
        var outputs = new LogNormal(Math.Log(scenario.OutputMedian), scenario.OutputSigma * TailFactor, random);
        var trace = new List<TraceRequest>(arrivals.Count);
        foreach (var t in arrivals)
        {
            var model = popularity.Sample(t);
            var (prompt, output) = SlotContext.Fit(scenario, prompts.Sample(), outputs.Sample());
            trace.Add(new TraceRequest(trace.Count, t, model.Name, prompt, output));
        }
        return trace;
    }
}
