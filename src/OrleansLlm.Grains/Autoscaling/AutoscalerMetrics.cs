using System.Diagnostics.Metrics;

namespace OrleansLlm.Grains.Autoscaling;

/// <summary>The autoscaler's counters and host counts (meter <c>OrleansLlm.Autoscaler</c>).</summary>
public sealed class AutoscalerMetrics
{
    public const string MeterName = "OrleansLlm.Autoscaler";

    private int _running;
    private int _desired;

    public AutoscalerMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        Starts = meter.CreateCounter<long>("ollm.autoscaler.host.starts", "{host}", "GPU hosts the autoscaler started");
        Stops = meter.CreateCounter<long>("ollm.autoscaler.host.stops", "{host}", "GPU hosts the autoscaler drained and stopped");
        FailedStarts = meter.CreateCounter<long>("ollm.autoscaler.host.failed_starts", "{host}", "Starts refused by the provider or not ready within the start timeout");
        meter.CreateObservableGauge("ollm.autoscaler.hosts.running", () => Volatile.Read(ref _running), "{host}", "GPU hosts starting or ready");
        meter.CreateObservableGauge("ollm.autoscaler.hosts.desired", () => Volatile.Read(ref _desired), "{host}", "GPU hosts wanted after the last decision");
    }

    public Counter<long> Starts { get; }

    public Counter<long> Stops { get; }

    public Counter<long> FailedStarts { get; }

    public void Hosts(int running, int desired)
    {
        Volatile.Write(ref _running, running);
        Volatile.Write(ref _desired, desired);
    }
}
