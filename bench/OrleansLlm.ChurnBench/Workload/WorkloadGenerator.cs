using MathNet.Numerics.Distributions;

namespace OrleansLlm.ChurnBench.Workload;

/// <summary>
/// A seeded trace: Gamma-distributed gaps (mean 1 / rate, the chosen CV), Zipf-skewed models,
/// log-normal prompt and output lengths capped to fit one slot's context. A swinging or stepped
/// trace thins those arrivals by <see cref="ArrivalProfile.Share"/>, so the rate is its peak.
/// </summary>
internal static class WorkloadGenerator
{
    public static IReadOnlyList<TraceRequest> Generate(Scenario scenario, IReadOnlyList<BenchModel> models, Random random)
    {
        // Gamma with shape k has CV 1/sqrt(k); rate k * λ keeps the mean gap at 1/λ.
        var shape = 1 / (scenario.ArrivalCv * scenario.ArrivalCv);
        var gaps = new Gamma(shape, shape * scenario.Rate, random);
        var popularity = new Zipf(scenario.ZipfS, models.Count, random);
        var byRank = models.OrderBy(m => m.PopularityRank).ToArray();
        var prompts = new LogNormal(Math.Log(scenario.PromptMedian), scenario.PromptSigma, random);
        var outputs = new LogNormal(Math.Log(scenario.OutputMedian), scenario.OutputSigma, random);

        // Prompt and answer share one slot's context; long prompts are cut as clients would.
        var maxOutput = Math.Max(1, scenario.NumCtx / 4);
        var trace = new List<TraceRequest>();
        var end = scenario.Duration.TotalSeconds;
        for (var t = gaps.Sample(); t < end; t += gaps.Sample())
        {
            // A steady trace draws nothing here, so its seeded requests stay what they always were.
            if (scenario.Arrivals != ArrivalPattern.Steady && random.NextDouble() >= ArrivalProfile.Share(scenario.Arrivals, scenario.Period, t))
                continue;
            var model = byRank[popularity.Sample() - 1];
            var output = Math.Clamp((int)Math.Round(outputs.Sample()), 1, maxOutput);
            var prompt = Math.Clamp((int)Math.Round(prompts.Sample()), 1, scenario.NumCtx - output);
            trace.Add(new TraceRequest(trace.Count, t, model.Name, prompt, output));
        }
        return trace;
    }
}
