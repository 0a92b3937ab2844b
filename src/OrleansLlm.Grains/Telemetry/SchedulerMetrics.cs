using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansLlm.Grains.Telemetry;

/// <summary>
/// The scheduler's instruments, for OpenTelemetry (<c>AddMeter(SchedulerMetrics.MeterName)</c>) and the
/// churn benchmark: every load with its duration, every unload with why it happened. Created
/// through the host's <see cref="IMeterFactory"/>, so each silo's meter lives and dies with it.
/// </summary>
public sealed class SchedulerMetrics
{
    public const string MeterName = "OrleansLlm.Scheduler";

    private readonly Counter<long> _loads;
    private readonly Histogram<double> _loadDuration;
    private readonly Counter<long> _unloads;

    public SchedulerMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _loads = meter.CreateCounter<long>("ollm.model.loads", unit: "{load}", description: "Runners loaded, by model and silo.");
        _loadDuration = meter.CreateHistogram<double>("ollm.model.load.duration", unit: "s", description: "Time from asking for GPU room to a ready runner.");
        _unloads = meter.CreateCounter<long>("ollm.model.unloads", unit: "{unload}", description: "Runners unloaded, by model, silo and reason.");
    }

    public void RecordLoad(string model, string silo, TimeSpan duration)
    {
        var tags = new TagList { { "model", model }, { "silo", silo } };
        _loads.Add(1, tags);
        _loadDuration.Record(duration.TotalSeconds, tags);
    }

    public void RecordUnload(string model, string silo, UnloadReason reason) =>
        _unloads.Add(1, new TagList { { "model", model }, { "silo", silo }, { "reason", reason.ToTag() } });
}
