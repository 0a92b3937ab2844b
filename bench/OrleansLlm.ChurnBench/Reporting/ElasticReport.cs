using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.ChurnBench.Reporting;

/// <summary>
/// One system's cost and service as an elastic cluster is judged (README "Autoscaling", issue #16):
/// GPU-seconds, SLO attainment, refusals apart from latency, and for the elastic system what its
/// autoscaler did and how fast. In simulated seconds over the trace's duration.
/// </summary>
internal sealed record ElasticReport
{
    /// <summary>
    /// A report of a model older than this no longer counts as the same demand: the autoscaler's
    /// own demand lifetime (<c>AutoscalerGrain.DemandLifetime</c>, 10 s of wall clock).
    /// </summary>
    private static readonly TimeSpan DemandLifetime = TimeSpan.FromSeconds(10);

    public required string System { get; init; }
    public required double GpuSeconds { get; init; }
    public required double MeanHosts { get; init; }
    public required int PeakHosts { get; init; }
    public required int Warm { get; init; }
    public required int Cold { get; init; }
    public required double WarmSlo { get; init; }
    public required double ColdSlo { get; init; }
    public required double Slo { get; init; }
    public required int Refused { get; init; }
    public required int Failed { get; init; }
    public required int CutMidAnswer { get; init; }
    public required int FailedOnStoppingHost { get; init; }
    public required int ArrivedAtZero { get; init; }

    /// <summary>Of those, not served: refused (queue full, or no host within the host wait) and failed.</summary>
    public required int RefusedAtZero { get; init; }
    public required int FailedAtZero { get; init; }
    public int Starts { get; init; }
    public int Stops { get; init; }
    public int GiveUps { get; init; }

    /// <summary>First report of a model no host took → the start call that named it, per start and model; sorted.</summary>
    public IReadOnlyList<double> StartReaction => [.. Reactions.Select(r => r.Start - r.FirstReport).Order()];

    /// <summary>The same, leaving out the pairs the autoscaler said it could not start for yet (a host cap, the pool): its own reaction.</summary>
    public IReadOnlyList<double> FreeStartReaction => [.. Reactions.Where(r => !r.Capped).Select(r => r.Start - r.FirstReport).Order()];

    /// <summary>Each start decision and model it named that requests had reported: when the run of reports began, and whether a cap held the start back meanwhile.</summary>
    public IReadOnlyList<(double Start, string Model, double FirstReport, bool Capped)> Reactions { get; init; } = [];

    /// <summary>A cold request's arrival → the first report of its model's demand (placement finding no host, then the client's report); sorted.</summary>
    public IReadOnlyList<double> ArrivalToReport { get; init; } = [];

    /// <summary>Starts that no request report led to (loads that waited past the wait budget on a full host).</summary>
    public int BudgetStarts { get; init; }

    /// <summary>A host's last work (request end or load) → its stop call; sorted.</summary>
    public IReadOnlyList<double> IdleToStop { get; init; } = [];

    /// <summary>Stop call → stopped (the drain and Orleans leaving); sorted.</summary>
    public IReadOnlyList<double> Drain { get; init; } = [];

    /// <summary>Start call → silo active (host start delay and boot); sorted.</summary>
    public IReadOnlyList<double> StartToActive { get; init; } = [];

    /// <summary>Silo active → its first model loaded; sorted.</summary>
    public IReadOnlyList<double> ActiveToFirstLoad { get; init; } = [];

    /// <summary>Bursts of starts (none more than a scale-in delay after the previous): when, how many, and how many of those hosts never loaded a model.</summary>
    public IReadOnlyList<(double Time, int Starts, int Useless)> Bursts { get; init; } = [];

    /// <summary>Hosts stopped sooner than the minimum host lifetime after their start call.</summary>
    public int ShortLived { get; init; }

    /// <summary>A host started again within the minimum host lifetime of its stop.</summary>
    public int Restarts { get; init; }

    /// <summary>Start calls within the minimum host lifetime after a stop call (a change of direction).</summary>
    public int Reversals { get; init; }

    public bool Elastic { get; init; }

    public static ElasticReport Compute(string system, IReadOnlyList<RequestRecord> records, Recorder recorder, Scenario scenario,
        IReadOnlyDictionary<string, BenchModel> byName, ElasticRun? run)
    {
        var duration = scenario.Duration.TotalSeconds;
        var gpusPerHost = Math.Max(1, ConfiguredGpuInventory.ParseGpus(scenario.HostGpus).Count);
        var lives = run?.Lives ?? [];
        bool Ready(double t) => run is null || lives.Any(l => l.ReadyAt(t));

        var warm = records.Where(r => !r.Cold).ToArray();
        var cold = records.Where(r => r.Cold).ToArray();
        static double Share(IReadOnlyCollection<RequestRecord> group, Func<RequestRecord, bool> met) =>
            group.Count == 0 ? double.NaN : group.Count(met) / (double)group.Count;
        // One bound for every system compared here: a cold request may wait for a host start.
        bool Met(RequestRecord r) => Reporting.Slo.Met(r, scenario.Timings.LoadSeconds(byName[r.Model].WeightBytes), scenario.HostStart.TotalSeconds);
        bool Refusal(RequestRecord r) => r.Busy || (r.Error?.Contains("OLLM_HOST_WAIT", StringComparison.Ordinal) ?? false);
        var failed = records.Where(r => r.Error is not null && !Refusal(r)).ToArray();
        var atZero = records.Where(r => !Ready(r.Arrival)).ToArray();

        var report = new ElasticReport
        {
            System = system,
            Elastic = run is not null,
            GpuSeconds = gpusPerHost * (run is null ? scenario.Hosts * duration : lives.Sum(l => l.RunningSeconds(0, duration))),
            MeanHosts = run is null ? scenario.Hosts : lives.Sum(l => l.RunningSeconds(0, duration)) / duration,
            PeakHosts = run is null ? scenario.Hosts : PeakRunning(lives),
            Warm = warm.Length,
            Cold = cold.Length,
            WarmSlo = Share(warm, Met),
            ColdSlo = Share(cold, Met),
            Slo = Share(records.ToArray(), Met),
            Refused = records.Count(Refusal),
            Failed = failed.Length,
            CutMidAnswer = failed.Count(r => r.FirstToken is not null),
            FailedOnStoppingHost = failed.Count(r => r.Runner is { } at && lives.Any(l => l.Host == at.Host
                && l.StopCalled is { } stop && r.Ended >= stop && r.Ended <= (l.Stopped ?? double.PositiveInfinity))),
            ArrivedAtZero = atZero.Length,
            RefusedAtZero = atZero.Count(Refusal),
            FailedAtZero = atZero.Count(r => r.Error is not null && !Refusal(r)),
        };
        return run is null ? report : WithAutoscaler(report, run, records, recorder);
    }

    private static ElasticReport WithAutoscaler(ElasticReport report, ElasticRun run, IReadOnlyList<RequestRecord> records, Recorder recorder)
    {
        var settings = run.Settings;
        var lives = run.Lives;
        var loads = recorder.Loads.Where(l => l.Succeeded).ToArray();
        var lifetime = settings.MinHostLifetime.TotalSeconds;
        var served = lives.Where(l => l.Active is not null).ToArray();

        var idle = new List<double>();
        foreach (var life in served.Where(l => l.StopCalled is not null))
        {
            var (from, to) = (life.Active!.Value, life.StopCalled!.Value);
            var lastRequest = records.Where(r => r.Runner is { } at && at.Host == life.Host && at.Started >= from && at.Started <= to)
                .Select(r => r.Ended ?? to).DefaultIfEmpty(from).Max();
            var lastLoad = loads.Where(l => l.Host == life.Host && l.Started >= from && l.Started <= to).Select(l => l.Finished).DefaultIfEmpty(from).Max();
            idle.Add(to - Math.Max(from, Math.Max(lastRequest, lastLoad)));
        }

        var bursts = new List<(double Time, int Starts, int Useless)>();
        var last = double.NegativeInfinity;
        foreach (var life in lives.OrderBy(l => l.StartCalled))
        {
            var useless = loads.Any(l => l.Host == life.Host && l.Started >= (life.Active ?? double.PositiveInfinity) && l.Started <= (life.Stopped ?? double.PositiveInfinity)) ? 0 : 1;
            if (bursts.Count == 0 || life.StartCalled - last > settings.ScaleInDelay.TotalSeconds)
                bursts.Add((life.StartCalled, 1, useless));
            else
                bursts[^1] = (bursts[^1].Time, bursts[^1].Starts + 1, bursts[^1].Useless + useless);
            last = life.StartCalled;
        }

        var (reactions, budget) = StartReactions(run, recorder.Clock.Speedup);
        var stopCalls = lives.Where(l => l.StopCalled is not null).Select(l => l.StopCalled!.Value).ToArray();
        return report with
        {
            Starts = run.Decisions.Count(d => d.Carried && d.Action == "start"),
            Stops = run.Decisions.Count(d => d.Carried && d.Action == "stop"),
            GiveUps = run.Decisions.Count(d => d.Carried && d.Action == "give up"),
            Reactions = reactions,
            ArrivalToReport = ArrivalsToReports(run, records, recorder.Clock.Speedup),
            BudgetStarts = budget,
            IdleToStop = [.. idle.Order()],
            Drain = [.. lives.Where(l => l.StopCalled is not null && l.Stopped is not null).Select(l => l.Stopped!.Value - l.StopCalled!.Value).Order()],
            StartToActive = [.. served.Select(l => l.Active!.Value - l.StartCalled).Order()],
            ActiveToFirstLoad = [.. served.Select(l => loads.Where(x => x.Host == l.Host && x.Started >= l.Active!.Value && x.Started <= (l.Stopped ?? double.PositiveInfinity))
                    .Select(x => x.Finished - l.Active!.Value).DefaultIfEmpty(double.NaN).Min())
                .Where(double.IsFinite).Order()],
            Bursts = bursts,
            ShortLived = served.Count(l => l.StopCalled is { } stop && stop - l.StartCalled < lifetime),
            Restarts = lives.GroupBy(l => l.Host).Sum(g => g.OrderBy(l => l.StartCalled).Zip(g.OrderBy(l => l.StartCalled).Skip(1))
                .Count(p => p.First.Stopped is { } stopped && p.Second.StartCalled - stopped < lifetime)),
            Reversals = lives.Count(l => stopCalls.Any(stop => stop <= l.StartCalled && l.StartCalled - stop < lifetime)),
        };
    }

    /// <summary>
    /// For each start decision and each model its reason names: when the run of reports of that
    /// model that reaches the start began (reports no further apart than the autoscaler's demand
    /// lifetime), and whether the autoscaler said meanwhile that a cap held that model's start
    /// back. A start whose models no request reported came from loads waiting on a full host past
    /// the wait budget.
    /// </summary>
    private static (IReadOnlyList<(double Start, string Model, double FirstReport, bool Capped)> Reactions, int Budget) StartReactions(ElasticRun run, double speedup)
    {
        var gap = DemandLifetime.TotalSeconds * speedup;
        var byModel = run.Reports.GroupBy(r => r.Model, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(r => r.Time).Order().ToArray(), StringComparer.Ordinal);
        var reactions = new List<(double, string, double, bool)>();
        var budget = 0;
        foreach (var start in run.Decisions.Where(d => d.Carried && d.Action == "start"))
        {
            // The reason begins with the models it packs: "a, b (12.3 GiB) fit on no ready or starting host; …".
            var named = start.Reason.Split(" (", 2)[0].Split(", ", StringSplitOptions.RemoveEmptyEntries);
            var found = false;
            foreach (var model in named)
            {
                if (!byModel.TryGetValue(model, out var times) || EpisodeStart(times, start.Time, gap) is not { } first)
                    continue;
                var capped = run.Unmet.Any(u => u.Time >= first && u.Time <= start.Time && u.Unmet.StartsWith(model + ":", StringComparison.Ordinal))
                    || StartsCapped(run, first, start.Time, start.Host);
                reactions.Add((start.Time, model, first, capped));
                found = true;
            }
            if (!found)
                budget++;
        }
        return (reactions, budget);
    }

    /// <summary>
    /// Whether the concurrent-start cap was reached at some moment in [<paramref name="from"/>,
    /// <paramref name="to"/>): the autoscaler's status, read every poll, can miss a cap that held
    /// only between two reads, so the other hosts' own start and ready times decide too.
    /// </summary>
    internal static bool StartsCapped(ElasticRun run, double from, double to, string host)
    {
        // The host this start is for does not hold back its own start (its start time may precede the decision's by the clocks' skew).
        var others = run.Lives.Where(l => !(l.Host == host && l.StartCalled >= from)).ToArray();
        int StartingAt(double t) => others.Count(l => l.StartCalled <= t && t < (l.Active ?? l.StopCalled ?? double.PositiveInfinity));
        var moments = others.Select(l => l.StartCalled).Where(t => t >= from && t < to).Append(from);
        return moments.Any(t => StartingAt(t) >= run.Settings.MaxConcurrentStarts);
    }

    /// <summary>
    /// For each run of reports of a model: from the arrival of the oldest request for it still
    /// waiting for its first token when the run's first report came, to that report.
    /// </summary>
    private static IReadOnlyList<double> ArrivalsToReports(ElasticRun run, IReadOnlyList<RequestRecord> records, double speedup)
    {
        var gap = DemandLifetime.TotalSeconds * speedup;
        var delays = new List<double>();
        foreach (var model in run.Reports.GroupBy(r => r.Model, StringComparer.Ordinal))
        {
            var requests = records.Where(r => r.Model == model.Key).ToArray();
            var times = model.Select(r => r.Time).Order().ToArray();
            for (var i = 0; i < times.Length; i++)
            {
                if (i > 0 && times[i] - times[i - 1] <= gap)
                    continue;
                var report = times[i];
                var oldest = requests.Where(r => r.Arrival <= report && (r.FirstToken ?? r.Ended ?? double.PositiveInfinity) > report)
                    .Select(r => r.Arrival).DefaultIfEmpty(double.NaN).Min();
                if (!double.IsNaN(oldest))
                    delays.Add(report - oldest);
            }
        }
        return [.. delays.Order()];
    }

    /// <summary>The first report of the run of reports (gaps within <paramref name="gap"/>) that reaches <paramref name="at"/>.</summary>
    private static double? EpisodeStart(double[] times, double at, double gap)
    {
        // Report and decision times come from two clocks (a timestamp, the UTC clock): allow their skew.
        var i = Array.FindLastIndex(times, t => t <= at + 0.1);
        if (i < 0 || at - times[i] > gap)
            return null;
        while (i > 0 && times[i] - times[i - 1] <= gap)
            i--;
        return times[i];
    }

    private static int PeakRunning(IReadOnlyList<HostLife> lives) =>
        lives.SelectMany(l => new[] { (T: l.StartCalled, D: 1), (T: l.Stopped ?? double.PositiveInfinity, D: -1) })
            .OrderBy(e => e.T).ThenBy(e => e.D)
            .Aggregate((Now: 0, Peak: 0), (a, e) => (a.Now + e.D, Math.Max(a.Peak, a.Now + e.D))).Peak;
}
