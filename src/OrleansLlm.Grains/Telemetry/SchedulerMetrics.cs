using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansLlm.Grains.Telemetry;

/// <summary>
/// The scheduler's counters, for OpenTelemetry (<c>AddMeter(SchedulerMetrics.MeterName)</c>) and the
/// churn benchmark: every load with its duration, every unload with why it happened.
/// </summary>
public static class SchedulerMetrics
{
    public const string MeterName = "OrleansLlm.Scheduler";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Loads = Meter.CreateCounter<long>(
        "ollm.model.loads", unit: "{load}", description: "Runners loaded, by model and silo.");

    private static readonly Histogram<double> LoadDuration = Meter.CreateHistogram<double>(
        "ollm.model.load.duration", unit: "s", description: "Time from asking for GPU room to a ready runner.");

    private static readonly Counter<long> Unloads = Meter.CreateCounter<long>(
        "ollm.model.unloads", unit: "{unload}", description: "Runners unloaded, by model, silo and reason.");

    public static void RecordLoad(string model, string silo, TimeSpan duration)
    {
        var tags = new TagList { { "model", model }, { "silo", silo } };
        Loads.Add(1, tags);
        LoadDuration.Record(duration.TotalSeconds, tags);
    }

    public static void RecordUnload(string model, string silo, UnloadReason reason) =>
        Unloads.Add(1, new TagList { { "model", model }, { "silo", silo }, { "reason", reason.ToTag() } });
}
