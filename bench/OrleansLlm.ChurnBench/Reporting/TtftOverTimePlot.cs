using System.Globalization;
using OrleansLlm.ChurnBench.Recording;
using ScottPlot;

namespace OrleansLlm.ChurnBench.Reporting;

/// <summary>
/// TTFT over the run, by arrival: each system's p99 per simulated minute as a line, and each of its
/// cold requests as a dot — a tail that follows the dots comes from loads, one above them from queueing
/// behind busy runners or a blocked scheduler.
/// </summary>
internal static class TtftOverTimePlot
{
    public static string Write(string directory, IReadOnlyList<(string System, IReadOnlyList<RequestRecord> Records, Recorder Recorder)> runs)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var (system, records, _) in runs)
        {
            var color = palette.GetColor(index++);
            var perMinute = records.Where(r => double.IsFinite(r.Ttft) && r.Ttft > 0)
                .GroupBy(r => Math.Floor(r.Arrival / 60))
                .OrderBy(g => g.Key)
                .Select(g => (Minute: g.Key + 0.5, P99: Percentiles.Of(Percentiles.Sorted(g.Select(r => r.Ttft)), 99)))
                .ToArray();
            if (perMinute.Length == 0)
                continue;
            var line = plot.Add.ScatterLine(perMinute.Select(p => p.Minute).ToArray(), perMinute.Select(p => Math.Log10(p.P99)).ToArray());
            line.LegendText = $"{system} p99 per minute";
            line.LineWidth = 2;
            line.Color = color;
            var cold = records.Where(r => r.Cold && double.IsFinite(r.Ttft) && r.Ttft > 0).ToArray();
            if (cold.Length > 0)
            {
                var dots = plot.Add.ScatterPoints(cold.Select(r => r.Arrival / 60).ToArray(), cold.Select(r => Math.Log10(r.Ttft)).ToArray());
                dots.LegendText = $"{system} cold requests";
                dots.Color = color.WithAlpha(0.35);
                dots.MarkerSize = 3;
            }
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = y => Math.Pow(10, y).ToString("0.###", CultureInfo.InvariantCulture),
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
        };
        plot.Title("Time to first token over the run (requests that never got a token are not drawn)");
        plot.XLabel("arrival, simulated minutes");
        plot.YLabel("TTFT, simulated seconds (log scale)");
        plot.ShowLegend(Alignment.UpperLeft);
        var file = Path.Combine(directory, "churn-ttft-over-time.png");
        plot.SavePng(file, 1200, 600);
        return file;
    }
}
