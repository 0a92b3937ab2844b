using OrleansLlm.Abstractions.Errors;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Reporting;

namespace OrleansLlm.ChurnBench.Tests;

/// <summary>The report's SLO (warm within 5 s, cold within the load + 10 s) and its latency apart from refusals.</summary>
public sealed class SystemReportTests
{
    private const double LoadSeconds = 4;

    [Fact]
    public void Warm_requests_meet_the_SLO_within_5_s_cold_ones_within_their_load_plus_10_s_and_a_refusal_misses_it()
    {
        RequestRecord[] records =
        [
            Served(0, arrival: 10, ttft: 4.9, runnerReady: 0),               // warm, met
            Served(1, arrival: 10, ttft: 5.1, runnerReady: 0),               // warm, missed
            Served(2, arrival: 10, ttft: LoadSeconds + 9.9, runnerReady: 14), // cold, met
            Served(3, arrival: 10, ttft: LoadSeconds + 10.1, runnerReady: 14), // cold, missed
            new(4, "m", 10, null, null, ServerBusyException.OllamaMessage),  // refused: cold, missed
        ];

        var report = Compute(records);

        Assert.Equal(0.5, report.WarmSloAttainment);
        Assert.Equal(1 / 3.0, report.ColdSloAttainment, 6);
        Assert.Equal(2 / 5.0, report.SloAttainment, 6);
    }

    [Fact]
    public void A_refused_request_is_infinitely_slow_in_TTFT_but_left_out_of_admitted_TTFT_and_counted_apart()
    {
        RequestRecord[] records =
        [
            Served(0, arrival: 0, ttft: 1, runnerReady: 0),
            new(1, "m", 0, null, null, ServerBusyException.OllamaMessage),
        ];

        var report = Compute(records);

        Assert.Equal(1, report.Busy503);
        Assert.Equal(double.PositiveInfinity, report.TtftP99);
        Assert.Equal(1, report.AdmittedTtftP99);
        Assert.Equal(double.PositiveInfinity, report.TtftMean);
    }

    private static RequestRecord Served(int id, double arrival, double ttft, double runnerReady) =>
        new(id, "m", arrival, arrival + ttft, arrival + ttft + 1, null) { Runner = new RunnerStart("host-0", runnerReady, arrival + ttft) };

    private static SystemReport Compute(IReadOnlyList<RequestRecord> records) =>
        SystemReport.Compute("test", records, new Recorder(new BenchClock(TimeProvider.System, 1), ["host-0"], 24L << 30), 60, 60, _ => LoadSeconds);
}
