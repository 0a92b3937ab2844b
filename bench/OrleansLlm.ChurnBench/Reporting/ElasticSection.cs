using System.Globalization;
using System.Text;

namespace OrleansLlm.ChurnBench.Reporting;

/// <summary>The Markdown of an elastic comparison: cost and service per system, the targets, and the autoscaler's decisions.</summary>
internal static class ElasticSection
{
    /// <summary>Decisions listed in full up to this many; the rest are in <c>elastic-decisions.csv</c>.</summary>
    private const int ListedDecisions = 60;

    public static string Build(Scenario scenario, IReadOnlyList<ElasticReport> reports, ElasticRun? run, string? hostPlot)
    {
        var text = new StringBuilder();
        var settings = run?.Settings;
        text.AppendLine("## Elastic: GPU hosts started and stopped by the autoscaler").AppendLine();
        text.AppendLine(Invariant($"The elastic system starts with {scenario.MinHosts} GPU hosts and one always-on control silo (no GPU); its pool holds {scenario.ElasticMaxHosts} hosts of `{scenario.HostGpus}`; a host is active about {scenario.HostStart.TotalSeconds:0} s after its start call (the order of an Azure Container Apps serverless GPU start; Microsoft publishes no figure): the provider waits that long less the mean boot of the silos so far, then boots a real in-process silo. The always-on system is the cluster with {scenario.Hosts} hosts running throughout."));
        if (settings is not null)
            text.AppendLine().AppendLine(Invariant($"Autoscaler settings (simulated time; its defaults unless said): scale-in delay {Minutes(settings.ScaleInDelay)}, idle-to-zero delay {Minutes(settings.IdleToZeroDelay)}, minimum host lifetime {Minutes(settings.MinHostLifetime)}, start timeout {Minutes(settings.StartTimeout)}, load wait budget {settings.WaitBudget.TotalSeconds:0} s, at most {settings.MaxConcurrentStarts} hosts starting at once, tick 1 s; a request waits up to {Minutes(scenario.HostWait)} for a host (`OLLM_HOST_WAIT`)."));
        text.AppendLine().AppendLine(Invariant($"GPU-seconds: hosts running (start call to stopped) integrated over the trace's {scenario.Duration.TotalMinutes:0.#} minutes, × GPUs per host; for the always-on cluster, hosts × duration. SLO: a warm request's first token within {Slo.WarmSeconds:0} s; a cold one's within the host start + its model's load + {Slo.ColdSlackSeconds:0} s (the same bound for every system); a refused or failed request misses it. Refused: 503s (queue full, or no host within `OLLM_HOST_WAIT`), apart from latency.")).AppendLine();

        text.Append("| metric |");
        foreach (var r in reports)
            text.Append(' ').Append(r.System).Append(" |");
        text.AppendLine().Append("|---|").AppendLine(string.Concat(reports.Select(_ => "---:|")));
        var alwaysOn = reports.FirstOrDefault(r => !r.Elastic);
        Row("GPU-seconds", r => Invariant($"{r.GpuSeconds:0}") + (alwaysOn is null || r == alwaysOn ? "" : Invariant($" ({r.GpuSeconds / alwaysOn.GpuSeconds:P0})")));
        Row("hosts running: mean / peak", r => Invariant($"{r.MeanHosts:0.00} / {r.PeakHosts}"));
        Row("SLO attainment: warm / cold / all", r => $"{Percent(r.WarmSlo)} / {Percent(r.ColdSlo)} / {Percent(r.Slo)}");
        Row("warm / cold requests", r => Invariant($"{r.Warm} / {r.Cold}"));
        Row("refused (503)", r => Invariant($"{r.Refused}"));
        Row("failed: all / cut mid-answer / on a stopping host", r => Invariant($"{r.Failed} / {r.CutMidAnswer} / {r.FailedOnStoppingHost}"));
        Row("arrived with no GPU host ready: all / refused / failed", r => Invariant($"{r.ArrivedAtZero} / {r.RefusedAtZero} / {r.FailedAtZero}"));
        Row("starts / stops / starts given up", r => r.Elastic ? Invariant($"{r.Starts} / {r.Stops} / {r.GiveUps}") : "–");
        Row("cold request's arrival → its model's first report p50 / p99 / max (s)", r => r.Elastic ? Spread(r.ArrivalToReport) : "–");
        Row("first unplaceable report → start call p50 / p99 / max (s)", r => r.Elastic ? Spread(r.StartReaction) : "–");
        Row("the same, leaving out starts a cap held back (max concurrent starts, pool)", r => r.Elastic ? Spread(r.FreeStartReaction) : "–");
        Row("the same in wall-clock seconds (÷ the speedup: the report-to-start path waits on no simulated timer)", r => r.Elastic ? Spread([.. r.FreeStartReaction.Select(x => x / scenario.Speedup)]) : "–");
        Row("starts for loads waiting past the budget (no report)", r => r.Elastic ? Invariant($"{r.BudgetStarts}") : "–");
        Row("start call → silo active p50 / max (s)", r => r.Elastic ? Spread(r.StartToActive, p99: false) : "–");
        Row("silo active → first model loaded p50 / max (s)", r => r.Elastic ? Spread(r.ActiveToFirstLoad, p99: false) : "–");
        Row("host idle → stop call p50 / max (s)", r => r.Elastic ? Spread(r.IdleToStop, p99: false) : "–");
        Row("stop call → stopped p50 / max (s)", r => r.Elastic ? Spread(r.Drain, p99: false) : "–");
        Row("bursts: hosts started (never loaded a model)", r => r.Elastic ? string.Join(", ", r.Bursts.Select(b => Invariant($"{b.Starts} ({b.Useless})"))) : "–");
        Row("hosts stopped within min lifetime / restarted within it / starts within it after a stop", r => r.Elastic ? Invariant($"{r.ShortLived} / {r.Restarts} / {r.Reversals}") : "–");
        text.AppendLine();
        if (hostPlot is not null)
            text.AppendLine(Invariant($"![GPU hosts over time]({hostPlot})")).AppendLine();

        var elastic = reports.FirstOrDefault(r => r.Elastic);
        if (elastic is not null)
        {
            text.AppendLine("### Targets (issue #16)").AppendLine();
            // The path from a report to the start call is the autoscaler's own work, in real time:
            // at speedup k each real second of it reads as k simulated ones, so it is judged in wall-clock seconds.
            var wallClock = Max(elastic.FreeStartReaction, 99) / scenario.Speedup;
            Target(wallClock <= 2, Invariant($"start call within 2 s of the first unplaceable load, p99 — {Seconds(wallClock)} s of wall clock ({Seconds(Max(elastic.FreeStartReaction, 99))} simulated s at {scenario.Speedup:0.#}×) over the {elastic.FreeStartReaction.Count} start/model pairs no cap held back ({Seconds(Max(elastic.StartReaction, 99))} simulated s over all {elastic.StartReaction.Count})"));
            var worst = elastic.Bursts.Count == 0 ? 0 : elastic.Bursts.Max(b => b.Useless);
            Target(worst <= 1, Invariant($"over-provisioning ≤ 1 host per burst (hosts started that never loaded a model) — worst burst {worst} of {elastic.Bursts.Count} bursts"));
            Target(elastic.CutMidAnswer == 0 && elastic.FailedOnStoppingHost == 0, Invariant($"0 requests failed or cut by scale-in — {elastic.CutMidAnswer} cut mid-answer, {elastic.FailedOnStoppingHost} failed on a stopping host, over {elastic.Stops} stops"));
            Target(elastic.FailedAtZero == 0, Invariant($"0 requests lost at zero hosts (failed; a 503 at the queue bound or past the host wait is allowed) — {elastic.FailedAtZero} of {elastic.ArrivedAtZero} that arrived with no host ready failed, {elastic.RefusedAtZero} were refused"));
            Target(elastic.ShortLived == 0 && elastic.Restarts == 0, Invariant($"no host stopped and started again within the minimum host lifetime — {elastic.ShortLived} stopped sooner, {elastic.Restarts} restarted sooner ({elastic.Reversals} starts within it after any stop)"));
            if (alwaysOn is not null)
            {
                var share = elastic.GpuSeconds / alwaysOn.GpuSeconds;
                Target(share <= 0.5 && elastic.WarmSlo >= 0.99, Invariant($"GPU-seconds ≤ 50 % of always-on with warm-TTFT SLO ≥ 99 % — {share:P0} of always-on, warm SLO {Percent(elastic.WarmSlo)} (the target is for a swinging trace)"));
            }
            text.AppendLine();
        }

        if (run is { Decisions.Count: > 0 })
        {
            text.AppendLine(Invariant($"### The autoscaler's decisions ({run.Decisions.Count}; all in `elastic-decisions.csv`)")).AppendLine();
            text.AppendLine("| time (s) | action | host | reason |").AppendLine("|---:|---|---|---|");
            foreach (var d in run.Decisions.Take(ListedDecisions))
                text.AppendLine(Invariant($"| {d.Time:0.0} | {d.Action}{(d.Carried ? "" : " (not carried out)")} | {d.Host} | {d.Reason.Replace("|", "\\|", StringComparison.Ordinal)} |"));
            if (run.Decisions.Count > ListedDecisions)
                text.AppendLine(Invariant($"| … | | | {run.Decisions.Count - ListedDecisions} more |"));
            text.AppendLine();
        }
        return text.ToString();

        void Row(string name, Func<ElasticReport, string> cell)
        {
            text.Append("| ").Append(name).Append(" |");
            foreach (var r in reports)
                text.Append(' ').Append(cell(r)).Append(" |");
            text.AppendLine();
        }

        void Target(bool met, string what) => text.AppendLine($"- {(met ? "met" : "**missed**")}: {what}");
    }

    private static double Max(IReadOnlyList<double> sorted, double percentile) => sorted.Count == 0 ? double.NaN : Percentiles.Of(sorted, percentile);

    private static string Spread(IReadOnlyList<double> sorted, bool p99 = true) => sorted.Count == 0
        ? "none"
        : p99
            ? $"{Seconds(Percentiles.Of(sorted, 50))} / {Seconds(Percentiles.Of(sorted, 99))} / {Seconds(sorted[^1])}"
            : $"{Seconds(Percentiles.Of(sorted, 50))} / {Seconds(sorted[^1])}";

    private static string Seconds(double value) => double.IsNaN(value) ? "–" : Invariant($"{value:0.0}");

    private static string Percent(double value) => double.IsNaN(value) ? "–" : Invariant($"{value:P1}");

    private static string Minutes(TimeSpan span) => span.TotalMinutes >= 1 ? Invariant($"{span.TotalMinutes:0.#} min") : Invariant($"{span.TotalSeconds:0} s");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
