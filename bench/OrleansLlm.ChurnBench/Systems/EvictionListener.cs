using System.Diagnostics.Metrics;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Grains.Telemetry;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>Records a cluster's evictions from the scheduler's own unload counter (reason <c>evicted</c>).</summary>
internal sealed class EvictionListener : IDisposable
{
    private readonly MeterListener _listener;

    public EvictionListener(IReadOnlyDictionary<string, BenchModel> byPath, Recorder recorder)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SchedulerMetrics.MeterName && instrument.Name == "ollm.model.unloads")
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? model = null;
            var evicted = false;
            foreach (var (key, tag) in tags)
            {
                if (key == "model")
                    model = tag as string;
                else if (key == "reason")
                    evicted = tag as string == "evicted";
            }
            if (evicted && model is not null && byPath.TryGetValue(model, out var m))
                recorder.Evicted(m.Name);
        });
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();
}
