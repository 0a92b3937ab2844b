using OrleansLlm.ChurnBench.Recording;
using ScottPlot;

namespace OrleansLlm.ChurnBench.Reporting;

/// <summary>GPU hosts over time: the elastic pool's running and ready hosts against the always-on count, with the arrival rate behind them.</summary>
internal static class HostPlot
{
    public static string Write(string directory, Scenario scenario, ElasticRun run, IReadOnlyList<RequestRecord> records)
    {
        var plot = new Plot();
        var end = scenario.Duration.TotalSeconds;

        // Arrivals per simulated minute, on the right axis, drawn first so the host lines lie over them.
        var minutes = (int)Math.Ceiling(end / 60);
        var perMinute = new double[Math.Max(1, minutes)];
        foreach (var r in records.Where(r => r.Arrival < end))
            perMinute[(int)(r.Arrival / 60)]++;
        var arrivals = plot.Add.ScatterLine(Enumerable.Range(0, perMinute.Length).Select(m => m + 0.5).ToArray(), perMinute);
        arrivals.LegendText = "arrivals per minute (right axis)";
        arrivals.Color = Colors.Gray.WithAlpha(0.5);
        arrivals.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "arrivals per simulated minute";

        var alwaysOn = plot.Add.ScatterLine(new double[] { 0, end / 60 }, new double[] { scenario.Hosts, scenario.Hosts });
        alwaysOn.LegendText = "always-on cluster";
        alwaysOn.LineWidth = 2;
        alwaysOn.LinePattern = LinePattern.Dashed;
        Steps(plot, "elastic: hosts running (start call → stopped)", run.Lives.Select(l => (l.StartCalled, l.Stopped)), end, 2.5f);
        Steps(plot, "elastic: hosts ready (silo active → stop call)", run.Lives.Where(l => l.Active is not null).Select(l => (l.Active!.Value, l.StopCalled ?? l.Stopped)), end, 1.5f);

        plot.Title("GPU hosts over time");
        plot.XLabel("simulated minutes");
        plot.YLabel("GPU hosts");
        plot.Axes.SetLimitsY(0, Math.Max(scenario.Hosts, scenario.ElasticMaxHosts) + 0.5, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, Math.Max(1, perMinute.Max()) * 1.1, plot.Axes.Right);
        plot.ShowLegend(Edge.Bottom);
        var file = Path.Combine(directory, "churn-hosts.png");
        plot.SavePng(file, 1000, 560);
        return file;
    }

    private static void Steps(Plot plot, string label, IEnumerable<(double From, double? To)> spans, double end, float width)
    {
        var changes = spans.SelectMany(s => new[] { (T: Math.Max(0, s.From), D: 1), (T: s.To ?? double.PositiveInfinity, D: -1) })
            .Where(c => c.T <= end).OrderBy(c => c.T).ThenBy(c => c.D).ToArray();
        var xs = new List<double> { 0 };
        var ys = new List<double> { 0 };
        var count = 0;
        foreach (var (t, d) in changes)
        {
            count += d;
            xs.Add(t / 60);
            ys.Add(count);
        }
        xs.Add(end / 60);
        ys.Add(count);
        var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
        line.LegendText = label;
        line.LineWidth = width;
        line.ConnectStyle = ConnectStyle.StepHorizontal;
    }
}
