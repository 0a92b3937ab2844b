using OrleansLlm.ChurnBench.Recording;

namespace OrleansLlm.ChurnBench.Reporting;

/// <summary>One system's numbers for the run, in simulated seconds.</summary>
internal sealed record SystemReport
{
    public required string System { get; init; }
    public required int Requests { get; init; }
    public required int Completed { get; init; }
    public required int Busy503 { get; init; }
    public required int OtherErrors { get; init; }
    public required double TtftP50 { get; init; }
    public required double TtftP95 { get; init; }
    public required double TtftP99 { get; init; }

    /// <summary>Mean TTFT over all requests (infinite if any never got a token).</summary>
    public required double TtftMean { get; init; }

    /// <summary>TTFT over the requests admitted (not refused with 503): latency apart from refusals.</summary>
    public required double AdmittedTtftP50 { get; init; }
    public required double AdmittedTtftP99 { get; init; }

    /// <summary>Share of all, warm and cold requests that met the <see cref="Slo"/> (NaN when not measured).</summary>
    public double SloAttainment { get; init; } = double.NaN;
    public double WarmSloAttainment { get; init; } = double.NaN;
    public double ColdSloAttainment { get; init; } = double.NaN;
    public required int Warm { get; init; }
    public required double WarmTtftP50 { get; init; }
    public required double WarmTtftP95 { get; init; }
    public required double WarmTtftP99 { get; init; }
    public required int Cold { get; init; }
    public required double ColdTtftP50 { get; init; }
    public required double ColdTtftP95 { get; init; }
    public required double ColdTtftP99 { get; init; }
    public required double QueueWaitP50 { get; init; }
    public required double QueueWaitP99 { get; init; }
    public required int Loads { get; init; }
    public required int Evictions { get; init; }
    public required double HitRatio { get; init; }
    public required int Thrash { get; init; }
    public required double GpuSecondsLoading { get; init; }
    public required double MeanVramUtilisation { get; init; }
    public required IReadOnlyList<double> HostVramUtilisation { get; init; }
    public required IReadOnlyList<double> HostRequestShare { get; init; }

    /// <summary>The most GPU memory each host held at once, as a share of it (above 1 would be a scheduler bug).</summary>
    public required IReadOnlyList<double> HostPeakVram { get; init; }

    public required IReadOnlyCollection<string> Overcommits { get; init; }

    /// <summary>Spread of per-host memory use: max minus min of the hosts' mean utilisation (0 = perfectly even).</summary>
    public double VramImbalance => HostVramUtilisation.Count == 0 ? 0 : HostVramUtilisation.Max() - HostVramUtilisation.Min();

    /// <summary>Spread of per-host work: the busiest host's share of requests over the mean share (1 = perfectly even).</summary>
    public double RequestImbalance => HostRequestShare.Count == 0 ? 1 : HostRequestShare.Max() * HostRequestShare.Count;

    /// <param name="loadSeconds">A model's load time by name, for the <see cref="Slo"/>; without it attainment is not measured.</param>
    public static SystemReport Compute(string system, IReadOnlyList<RequestRecord> records, Recorder recorder, double duration, double thrashWindow,
        Func<string, double>? loadSeconds = null)
    {
        // Requests that never got a token count as infinitely slow: leaving them out would reward
        // a system for refusing or abandoning its worst requests.
        var warm = records.Where(r => !r.Cold).ToArray();
        var cold = records.Where(r => r.Cold).ToArray();
        var ttft = Percentiles.Sorted(records.Select(r => r.Ttft));
        var warmTtft = Percentiles.Sorted(warm.Select(r => r.Ttft));
        var coldTtft = Percentiles.Sorted(cold.Select(r => r.Ttft));
        var waits = Percentiles.Sorted(records.Where(r => r.QueueWait is not null).Select(r => r.QueueWait!.Value));
        var loads = recorder.Loads.Where(l => l.Succeeded).ToArray();
        var evictions = recorder.Evictions.ToArray();
        var thrash = evictions.Count(e => loads.Any(l => l.Model == e.Model && l.Started >= e.Time && l.Started <= e.Time + thrashWindow));
        var samples = recorder.Memory.Where(s => s.Time <= duration).ToArray();
        var hostUtilisation = recorder.Hosts
            .Select(h => samples.Where(s => s.Host == h).Select(s => (double)s.VramBytes / recorder.VramPerHost).DefaultIfEmpty(0).Average())
            .ToArray();
        var starts = records.Where(r => r.Runner is not null).ToArray();
        var share = recorder.Hosts
            .Select(h => starts.Length == 0 ? 0 : starts.Count(r => r.Runner!.Host == h) / (double)starts.Length)
            .ToArray();
        var busy = records.Count(r => r.Busy);
        var admitted = Percentiles.Sorted(records.Where(r => !r.Busy).Select(r => r.Ttft));
        double Attainment(IReadOnlyCollection<RequestRecord> group) => loadSeconds is null || group.Count == 0
            ? double.NaN
            : group.Count(r => Slo.Met(r, loadSeconds(r.Model))) / (double)group.Count;
        return new SystemReport
        {
            System = system,
            Requests = records.Count,
            Completed = records.Count(r => r.Finished is not null),
            Busy503 = busy,
            OtherErrors = records.Count(r => r.Error is not null) - busy,
            TtftP50 = Percentiles.Of(ttft, 50),
            TtftP95 = Percentiles.Of(ttft, 95),
            TtftP99 = Percentiles.Of(ttft, 99),
            TtftMean = ttft.Length == 0 ? double.NaN : ttft.Average(),
            AdmittedTtftP50 = Percentiles.Of(admitted, 50),
            AdmittedTtftP99 = Percentiles.Of(admitted, 99),
            SloAttainment = Attainment(records),
            WarmSloAttainment = Attainment(warm),
            ColdSloAttainment = Attainment(cold),
            Warm = warm.Length,
            WarmTtftP50 = Percentiles.Of(warmTtft, 50),
            WarmTtftP95 = Percentiles.Of(warmTtft, 95),
            WarmTtftP99 = Percentiles.Of(warmTtft, 99),
            Cold = cold.Length,
            ColdTtftP50 = Percentiles.Of(coldTtft, 50),
            ColdTtftP95 = Percentiles.Of(coldTtft, 95),
            ColdTtftP99 = Percentiles.Of(coldTtft, 99),
            QueueWaitP50 = Percentiles.Of(waits, 50),
            QueueWaitP99 = Percentiles.Of(waits, 99),
            Loads = loads.Length,
            Evictions = evictions.Length,
            HitRatio = records.Count == 0 ? 0 : warm.Length / (double)records.Count,
            Thrash = thrash,
            GpuSecondsLoading = loads.Sum(l => l.Seconds),
            MeanVramUtilisation = hostUtilisation.DefaultIfEmpty(0).Average(),
            HostVramUtilisation = hostUtilisation,
            HostRequestShare = share,
            HostPeakVram = [.. recorder.Hosts.Select(h => recorder.PeakVram.GetValueOrDefault(h) / (double)recorder.VramPerHost)],
            Overcommits = recorder.Overcommits,
        };
    }
}
