using System.Globalization;
using System.Text;

namespace OrleansLlm.ChurnBench.Reporting;

/// <summary>An elastic comparison as CSV: one row per system, the autoscaler's decisions, and each host's runs.</summary>
internal static class ElasticCsv
{
    public static string Systems(IReadOnlyList<ElasticReport> reports)
    {
        var text = new StringBuilder();
        text.AppendLine("system,gpu_seconds,mean_hosts,peak_hosts,warm,cold,warm_slo,cold_slo,slo,refused,failed,cut_mid_answer,failed_on_stopping_host,arrived_at_zero,refused_at_zero,failed_at_zero,starts,stops,give_ups,reaction_p50,reaction_p99,reaction_max,free_reaction_p99,budget_starts,start_to_active_p50,idle_to_stop_p50,drain_p50,worst_burst_useless,short_lived,restarts,reversals");
        foreach (var r in reports)
        {
            text.AppendLine(string.Join(',', new object[]
            {
                r.System, r.GpuSeconds, r.MeanHosts, r.PeakHosts, r.Warm, r.Cold, r.WarmSlo, r.ColdSlo, r.Slo, r.Refused, r.Failed,
                r.CutMidAnswer, r.FailedOnStoppingHost, r.ArrivedAtZero, r.RefusedAtZero, r.FailedAtZero, r.Starts, r.Stops, r.GiveUps,
                P(r.StartReaction, 50), P(r.StartReaction, 99), P(r.StartReaction, 100), P(r.FreeStartReaction, 99), r.BudgetStarts, P(r.StartToActive, 50),
                P(r.IdleToStop, 50), P(r.Drain, 50), r.Bursts.Count == 0 ? 0 : r.Bursts.Max(b => b.Useless), r.ShortLived, r.Restarts, r.Reversals,
            }.Select(v => Convert.ToString(v is double d ? Math.Round(d, 4) : v, CultureInfo.InvariantCulture))));
        }
        return text.ToString();
    }

    /// <summary>Each decision; a start also with the first report of the demand it met and whether a cap had held it back.</summary>
    public static string Decisions(ElasticRun run, ElasticReport report)
    {
        var text = new StringBuilder().AppendLine("time_s,action,host,carried,first_report_s,capped,reason");
        foreach (var d in run.Decisions)
        {
            var met = report.Reactions.Where(r => d.Action == "start" && r.Start == d.Time).ToArray();
            var first = met.Length == 0 ? "" : met.Min(r => r.FirstReport).ToString("0.###", CultureInfo.InvariantCulture);
            var capped = met.Length == 0 ? "" : met.Any(r => r.Capped).ToString();
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{d.Time:0.###},{d.Action},{d.Host},{d.Carried},{first},{capped},\"{d.Reason.Replace("\"", "\"\"", StringComparison.Ordinal)}\""));
        }
        return text.ToString();
    }

    public static string Hosts(ElasticRun run)
    {
        var text = new StringBuilder().AppendLine("host,start_called_s,booting_s,active_s,stop_called_s,stopped_s,failed");
        foreach (var l in run.Lives)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{l.Host},{l.StartCalled:0.###},{l.Booting:0.###},{l.Active:0.###},{l.StopCalled:0.###},{l.Stopped:0.###},{l.Failed}"));
        return text.ToString();
    }

    private static double P(IReadOnlyList<double> sorted, double percentile) => Percentiles.Of(sorted, percentile);
}
