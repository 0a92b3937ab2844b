using System.Globalization;
using System.Text;

namespace OrleansLlm.ChurnBench.Reporting;

/// <summary>The side-by-side table, the scenario that produced it, and the targets checked against it.</summary>
internal static class MarkdownReport
{
    public static string Build(Scenario scenario, string workload, IReadOnlyList<SystemReport> reports, string command, TimeSpan wall, (double? Start, double? End) load = default)
    {
        var text = new StringBuilder();
        text.AppendLine(reports.Any(r => r.System == "elastic")
            ? "# Churn benchmark: the elastic cluster (GPU hosts started and stopped by the autoscaler) against the always-on cluster"
            : "# Churn benchmark: the cluster against independent single-host schedulers").AppendLine();
        var busy = load is { Start: { } first, End: { } last } ? Invariant($" (load average {first:0.#} at the start, {last:0.#} at the end)") : "";
        text.AppendLine(Invariant($"Command: `{command}` — {wall.TotalMinutes:0.0} min wall clock on {Environment.ProcessorCount} cores{busy}, {DateTime.UtcNow:yyyy-MM-dd}.")).AppendLine();
        text.AppendLine(Invariant($"Scenario: {scenario.Hosts} hosts × `{scenario.HostGpus}`; {workload}; OLLAMA_NUM_PARALLEL={scenario.NumParallel}, num_ctx {scenario.NumCtx}, OLLAMA_MAX_QUEUE={scenario.MaxQueue}, OLLAMA_MAX_LOADED_MODELS={(scenario.MaxLoadedModels == 0 ? "auto (3 per GPU)" : scenario.MaxLoadedModels)}; simulated time {scenario.Speedup:0.#}× the wall clock for every system; seed {scenario.Seed}."));
        text.AppendLine();
        text.AppendLine(Invariant($"All times are simulated seconds. TTFT: arrival to first token; a request refused (503), failed or unfinished 10 simulated minutes after the trace ends counts as ∞. Admitted TTFT: the same over the requests not refused, so that refusals are counted apart from latency. Cold: the model was not ready on the host that served the request when it arrived. SLO: a warm request's first token within {Slo.WarmSeconds:0} s, a cold one's within its model's load time + {Slo.ColdSlackSeconds:0} s; a request that never got a token misses it. × bound: a TTFT percentile over the bound's (every model resident from the start, requests to the least-loaded GPU), which no scheduler beats. Queue wait: arrival to a runner slot. Thrash: evictions followed by a load of the same model within 60 s.")).AppendLine();

        text.Append("| metric |");
        foreach (var r in reports)
            text.Append(' ').Append(r.System).Append(" |");
        text.AppendLine().Append("|---|").AppendLine(string.Concat(reports.Select(_ => "---:|")));
        Row("requests (completed)", r => Invariant($"{r.Requests} ({r.Completed})"));
        Row("503 busy / other errors", r => Invariant($"{r.Busy503} / {r.OtherErrors}"));
        Row("TTFT p50 / p95 / p99", r => Triple(r.TtftP50, r.TtftP95, r.TtftP99));
        if (reports.FirstOrDefault(r => r.System == Systems.BoundSystem.SystemName) is { } bound)
            Row("TTFT p50 / p99 × bound", r => $"{Times(r.TtftP50 / bound.TtftP50)} / {Times(r.TtftP99 / bound.TtftP99)}");
        Row("admitted TTFT p50 / p99", r => $"{Seconds(r.AdmittedTtftP50)} / {Seconds(r.AdmittedTtftP99)}");
        Row("SLO attainment: warm / cold / all", r => $"{Percent(r.WarmSloAttainment)} / {Percent(r.ColdSloAttainment)} / {Percent(r.SloAttainment)}");
        Row("warm requests", r => Invariant($"{r.Warm}"));
        Row("warm TTFT p50 / p95 / p99", r => Triple(r.WarmTtftP50, r.WarmTtftP95, r.WarmTtftP99));
        Row("cold requests", r => Invariant($"{r.Cold}"));
        Row("cold TTFT p50 / p95 / p99", r => Triple(r.ColdTtftP50, r.ColdTtftP95, r.ColdTtftP99));
        Row("queue wait p50 / p99", r => $"{Seconds(r.QueueWaitP50)} / {Seconds(r.QueueWaitP99)}");
        Row("loads", r => Invariant($"{r.Loads}"));
        Row("evictions", r => Invariant($"{r.Evictions}"));
        Row("cache hit ratio", r => Invariant($"{r.HitRatio:P1}"));
        Row("thrash (evict → reload ≤ 60 s)", r => Invariant($"{r.Thrash}"));
        Row("GPU-seconds loading", r => Invariant($"{r.GpuSecondsLoading:0}"));
        Row("mean GPU memory in use", r => Invariant($"{r.MeanVramUtilisation:P1}"));
        Row("GPU memory in use per host", r => string.Join(" ", r.HostVramUtilisation.Select(u => Invariant($"{u:P0}"))));
        Row("requests per host", r => string.Join(" ", r.HostRequestShare.Select(u => Invariant($"{u:P0}"))));
        Row("peak GPU memory per host", r => string.Join(" ", r.HostPeakVram.Select(u => Invariant($"{u:P0}"))));
        text.AppendLine();
        foreach (var r in reports.Where(r => r.Overcommits.Count > 0))
        {
            text.AppendLine(Invariant($"**{r.System} held more GPU memory than a host has, {r.Overcommits.Count} time(s)** (a scheduler bug), first: {r.Overcommits.First()}")).AppendLine();
        }

        var cluster = reports.FirstOrDefault(r => r.System == "cluster");
        var rr = reports.FirstOrDefault(r => r.System == "baseline-rr");
        var hash = reports.FirstOrDefault(r => r.System == "baseline-hash");
        if (cluster is not null && rr is not null && hash is not null)
        {
            text.AppendLine("## Targets").AppendLine();
            Target("loads ≤ 50 % of baseline RR's", cluster.Loads / (double)Math.Max(1, rr.Loads), 0.5, Invariant($"{cluster.Loads} vs {rr.Loads}"));
            Target("cold TTFT p99 ≤ 33 % of baseline RR's", cluster.ColdTtftP99 / rr.ColdTtftP99, 0.33, $"{Seconds(cluster.ColdTtftP99)} s vs {Seconds(rr.ColdTtftP99)} s");
            Target("TTFT p99 below baseline hash's", cluster.TtftP99 / hash.TtftP99, 1, $"{Seconds(cluster.TtftP99)} s vs {Seconds(hash.TtftP99)} s", strict: true);
            Target("GPU memory more even than baseline hash (spread of per-host use)", cluster.VramImbalance / Math.Max(1e-9, hash.VramImbalance), 1,
                Invariant($"{cluster.VramImbalance:P0} vs {hash.VramImbalance:P0}"), strict: true);
        }
        return text.ToString();

        void Row(string name, Func<SystemReport, string> cell)
        {
            text.Append("| ").Append(name).Append(" |");
            foreach (var r in reports)
                text.Append(' ').Append(cell(r)).Append(" |");
            text.AppendLine();
        }

        void Target(string name, double ratio, double bound, string values, bool strict = false)
        {
            var met = !double.IsNaN(ratio) && (strict ? ratio < bound : ratio <= bound);
            text.AppendLine(Invariant($"- {(met ? "met" : "**missed**")}: {name} — {values} (ratio {ratio:0.00})"));
        }
    }

    private static string Triple(double a, double b, double c) => $"{Seconds(a)} / {Seconds(b)} / {Seconds(c)}";

    /// <summary>Infinite: more requests than the percentile leaves out never got a token.</summary>
    private static string Seconds(double value) => double.IsPositiveInfinity(value) ? "∞" : Invariant($"{value:0.00}");

    private static string Times(double ratio) => double.IsPositiveInfinity(ratio) ? "∞" : double.IsNaN(ratio) ? "–" : Invariant($"{ratio:0.0}×");

    private static string Percent(double share) => double.IsNaN(share) ? "–" : Invariant($"{share:P1}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
