using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansLlm.Grains.Telemetry;

/// <summary>
/// The scheduler's event instruments, for OpenTelemetry (<c>AddMeter(SchedulerMetrics.MeterName)</c>) and the
/// churn benchmark: every load with its duration, every unload with why it happened and how old the
/// runner was, every request with whether a loaded runner was waiting for it, the requests waiting
/// for a runner and those holding one. Created through the host's <see cref="IMeterFactory"/>, so
/// each silo's meter lives and dies with it. The silo's state (GPU memory, loaded models) is
/// observed by <see cref="SiloGauges"/> on the same meter.
/// </summary>
public sealed class SchedulerMetrics
{
    public const string MeterName = "OrleansLlm.Scheduler";

    /// <summary>
    /// Bucket boundaries in seconds for the duration histograms: a load takes from a fraction of a
    /// second (a small model, warm page cache) to minutes (70B over a network share), and a runner
    /// lives from seconds (thrashing) to days (pinned) — not OpenTelemetry's default 0–10,000, made for milliseconds.
    /// </summary>
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600],
    };

    private readonly Counter<long> _loads;
    private readonly Histogram<double> _loadDuration;
    private readonly Counter<long> _unloads;
    private readonly Histogram<double> _unloadAge;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _waitDuration;
    private readonly UpDownCounter<long> _waiting;
    private readonly UpDownCounter<long> _active;

    private readonly ModelTags _models;

    public SchedulerMetrics(IMeterFactory meters, ModelTags models)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _models = models;
        var meter = meters.Create(MeterName);
        _loads = meter.CreateCounter<long>("ollm.model.loads", unit: "{load}", description: "Runners loaded, by model and silo.");
        _loadDuration = meter.CreateHistogram<double>("ollm.model.load.duration", unit: "s", description: "Time from asking for GPU room to a ready runner.", tags: null, advice: Seconds);
        _unloads = meter.CreateCounter<long>("ollm.model.unloads", unit: "{unload}", description: "Runners unloaded, by model, silo and reason.");
        _unloadAge = meter.CreateHistogram<double>("ollm.model.unload.age", unit: "s", description: "How long a runner had been loaded when it was unloaded, by model, silo and reason (reason=\"evicted\": age at eviction).", tags: null, advice: Seconds);
        _requests = meter.CreateCounter<long>("ollm.model.requests", unit: "{request}", description: "Requests a model served, by model, silo and cache: hit (a loaded runner served it) or miss (it waited for a load).");
        _waitDuration = meter.CreateHistogram<double>("ollm.model.wait.duration", unit: "s", description: "How long a request that missed waited on its silo for a runner (room, evictions and the load).", tags: null, advice: Seconds);
        _waiting = meter.CreateUpDownCounter<long>("ollm.model.requests.waiting", unit: "{request}", description: "Requests now waiting for a runner, by model and silo.");
        _active = meter.CreateUpDownCounter<long>("ollm.model.requests.active", unit: "{request}", description: "Requests now holding a runner (in flight), by model and silo.");
    }

    public void RecordLoad(string model, string silo, TimeSpan duration)
    {
        var tags = Tags(model, silo);
        _loads.Add(1, tags);
        _loadDuration.Record(duration.TotalSeconds, tags);
    }

    /// <param name="age">Since the runner became ready.</param>
    public void RecordUnload(string model, string silo, UnloadReason reason, TimeSpan age)
    {
        var tags = new TagList { { "model", _models.Of(model) }, { "silo", silo }, { "reason", reason.ToTag() } };
        _unloads.Add(1, tags);
        _unloadAge.Record(age.TotalSeconds, tags);
    }

    /// <summary>A request got its runner: a hit when one was ready, else a miss that waited <paramref name="waited"/>.</summary>
    public void RecordServed(string model, string silo, TimeSpan? waited)
    {
        _requests.Add(1, new TagList { { "model", _models.Of(model) }, { "silo", silo }, { "cache", waited is null ? "hit" : "miss" } });
        if (waited is { } wait)
            _waitDuration.Record(wait.TotalSeconds, Tags(model, silo));
    }

    public void WaitingChanged(string model, string silo, int delta) => _waiting.Add(delta, Tags(model, silo));

    public void ActiveChanged(string model, string silo, int delta) => _active.Add(delta, Tags(model, silo));

    private TagList Tags(string model, string silo) => new() { { "model", _models.Of(model) }, { "silo", silo } };
}
