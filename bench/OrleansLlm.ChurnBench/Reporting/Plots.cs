using OrleansLlm.ChurnBench.Recording;
using ScottPlot;

namespace OrleansLlm.ChurnBench.Reporting;

/// <summary>PNG plots of a run: TTFT distributions, loads over time, GPU memory in use over time.</summary>
internal static class Plots
{
    public static IReadOnlyList<string> Write(string directory, IReadOnlyList<(string System, IReadOnlyList<RequestRecord> Records, Recorder Recorder)> runs)
    {
        var ttft = TtftCdf(runs);
        var loads = LoadsOverTime(runs);
        var memory = MemoryOverTime(runs);
        var files = new[] { Path.Combine(directory, "churn-ttft-cdf.png"), Path.Combine(directory, "churn-loads.png"), Path.Combine(directory, "churn-gpu-memory.png") };
        ttft.SavePng(files[0], 1000, 560);
        loads.SavePng(files[1], 1000, 560);
        memory.SavePng(files[2], 1000, 560);
        return [.. files, TtftOverTimePlot.Write(directory, runs)];
    }

    private static Plot TtftCdf(IReadOnlyList<(string System, IReadOnlyList<RequestRecord> Records, Recorder Recorder)> runs)
    {
        var plot = new Plot();
        foreach (var (system, records, _) in runs)
        {
            // Over all requests: the curve of a system that left requests unserved stays below 1.
            var sorted = records.Where(r => double.IsFinite(r.Ttft) && r.Ttft > 0).Select(r => r.Ttft).Order().ToArray();
            if (sorted.Length == 0)
                continue;
            // Log10 of the time: TTFTs span milliseconds (warm) to minutes (cold behind a queue).
            var xs = sorted.Select(Math.Log10).ToArray();
            var ys = sorted.Select((_, i) => (i + 1) / (double)records.Count).ToArray();
            AddLine(plot, system, xs, ys);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = x => Math.Pow(10, x).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
        };
        plot.Title("Time to first token, all requests (CDF)");
        plot.XLabel("TTFT, simulated seconds (log scale)");
        plot.YLabel("fraction of requests");
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    private static Plot LoadsOverTime(IReadOnlyList<(string System, IReadOnlyList<RequestRecord> Records, Recorder Recorder)> runs)
    {
        var plot = new Plot();
        foreach (var (system, _, recorder) in runs)
        {
            var times = recorder.Loads.Where(l => l.Succeeded).Select(l => l.Started / 60).Order().ToArray();
            var xs = times.Prepend(0).ToArray();
            var ys = Enumerable.Range(0, xs.Length).Select(i => (double)i).ToArray();
            AddLine(plot, system, xs, ys).ConnectStyle = ConnectStyle.StepHorizontal;
        }
        plot.Title("Model loads over time (cumulative)");
        plot.XLabel("simulated minutes");
        plot.YLabel("loads");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot MemoryOverTime(IReadOnlyList<(string System, IReadOnlyList<RequestRecord> Records, Recorder Recorder)> runs)
    {
        var plot = new Plot();
        foreach (var (system, _, recorder) in runs)
        {
            var points = recorder.Memory.GroupBy(s => Math.Round(s.Time))
                .OrderBy(g => g.Key)
                .Select(g => (Minutes: g.Key / 60, Share: g.Sum(s => s.VramBytes) / (double)(recorder.VramPerHost * recorder.Hosts.Count)))
                .ToArray();
            if (points.Length == 0)
                continue;
            AddLine(plot, system, [.. points.Select(p => p.Minutes)], [.. points.Select(p => p.Share * 100)]);
        }
        plot.Title("GPU memory in use, all hosts");
        plot.XLabel("simulated minutes");
        plot.YLabel("% of GPU memory");
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    private static ScottPlot.Plottables.Scatter AddLine(Plot plot, string system, double[] xs, double[] ys)
    {
        var line = plot.Add.ScatterLine(xs, ys);
        line.LegendText = system;
        line.LineWidth = 2;
        return line;
    }
}
