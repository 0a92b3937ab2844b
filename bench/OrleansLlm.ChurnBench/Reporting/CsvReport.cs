using System.Globalization;
using System.Text;

namespace OrleansLlm.ChurnBench.Reporting;

/// <summary>The same numbers as the Markdown table, one row per system, for spreadsheets and trend lines.</summary>
internal static class CsvReport
{
    public static string Build(IReadOnlyList<SystemReport> reports)
    {
        var text = new StringBuilder();
        text.AppendLine("system,requests,completed,busy_503,other_errors,ttft_p50,ttft_p95,ttft_p99,warm,warm_ttft_p50,warm_ttft_p95,warm_ttft_p99,cold,cold_ttft_p50,cold_ttft_p95,cold_ttft_p99,queue_wait_p50,queue_wait_p99,loads,evictions,hit_ratio,thrash,gpu_seconds_loading,mean_vram_utilisation,vram_imbalance,request_imbalance,ttft_mean,admitted_ttft_p50,admitted_ttft_p99,slo,warm_slo,cold_slo");
        foreach (var r in reports)
        {
            text.AppendLine(string.Join(',', new object[]
            {
                r.System, r.Requests, r.Completed, r.Busy503, r.OtherErrors, r.TtftP50, r.TtftP95, r.TtftP99,
                r.Warm, r.WarmTtftP50, r.WarmTtftP95, r.WarmTtftP99, r.Cold, r.ColdTtftP50, r.ColdTtftP95, r.ColdTtftP99,
                r.QueueWaitP50, r.QueueWaitP99, r.Loads, r.Evictions, r.HitRatio, r.Thrash, r.GpuSecondsLoading,
                r.MeanVramUtilisation, r.VramImbalance, r.RequestImbalance, r.TtftMean, r.AdmittedTtftP50, r.AdmittedTtftP99,
                r.SloAttainment, r.WarmSloAttainment, r.ColdSloAttainment,
            }.Select(v => Convert.ToString(v is double d ? Math.Round(d, 4) : v, CultureInfo.InvariantCulture))));
        }
        return text.ToString();
    }
}
