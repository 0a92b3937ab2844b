using System.Diagnostics.Metrics;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.Grains.Telemetry;

/// <summary>
/// The silo's state as observable gauges on <see cref="SchedulerMetrics.MeterName"/>: GPU memory
/// total, reserved and free per GPU, loaded models, and each loaded model's predicted and measured
/// memory. The <c>GpuSiloGrain</c> publishes its bookkeeping here on every change; the callbacks only
/// read the last reading, because a gauge callback runs on the exporter's thread, outside any grain,
/// and must never call one. One per silo, constructed at silo start (it takes part in the silo's
/// lifecycle) so the GPU totals are exported before the first model.
/// </summary>
public sealed class SiloGauges : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly IGpuInventory _inventory;
    private readonly string _silo;
    private SiloReading _reading = SiloReading.Empty;

    private readonly ModelTags _models;

    public SiloGauges(IMeterFactory meters, IGpuInventory inventory, ILocalSiloDetails localSilo, ModelTags models)
    {
        _models = models;
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(localSilo);
        _inventory = inventory;
        _silo = localSilo.SiloAddress.ToParsableString();
        var meter = meters.Create(SchedulerMetrics.MeterName);
        meter.CreateObservableGauge("ollm.gpu.memory.total", () => PerGpu((gpu, _) => gpu.TotalMemory), unit: "By", description: "Memory of each GPU, by silo and GPU.");
        meter.CreateObservableGauge("ollm.gpu.memory.reserved", () => PerGpu((_, reserved) => reserved), unit: "By", description: "GPU memory reserved for models (claimed, loading or loaded), by silo and GPU.");
        meter.CreateObservableGauge("ollm.gpu.memory.free", () => PerGpu((gpu, reserved) => Math.Max(0, Math.Min(gpu.FreeMemory, gpu.TotalMemory - reserved))),
            unit: "By", description: "GPU memory placement sees as free: the lesser of what the GPU reports and its total less the reservations, by silo and GPU.");
        meter.CreateObservableGauge("ollm.models.loaded", () => new Measurement<int>(Volatile.Read(ref _reading).Loaded.Count, Silo()), unit: "{model}", description: "Runners loaded on the silo.");
        meter.CreateObservableGauge("ollm.model.memory.predicted", () => PerModel(m => m.PredictedBytes), unit: "By", description: "A loaded model's memory by the estimate it was placed by, by model and silo.");
        meter.CreateObservableGauge("ollm.model.memory.measured", () => PerModel(m => m.MeasuredBytes), unit: "By", description: "A loaded model's memory as its runner reported it after loading, by model and silo.");
    }

    /// <summary>Called by the silo's <c>GpuSiloGrain</c> in the turn that changed its bookkeeping.</summary>
    public void Publish(SiloReading reading) => Volatile.Write(ref _reading, reading);

    // Nothing to do at any stage: taking part only makes Orleans construct the gauges when the silo starts.
    public void Participate(ISiloLifecycle lifecycle)
    {
    }

    private IEnumerable<Measurement<long>> PerGpu(Func<GpuInfo, long, long> value)
    {
        var reading = Volatile.Read(ref _reading);
        foreach (var gpu in _inventory.GetGpus())
            yield return new Measurement<long>(value(gpu, reading.ReservedByGpu.GetValueOrDefault(gpu.Id)), new KeyValuePair<string, object?>("silo", _silo), new KeyValuePair<string, object?>("gpu", gpu.Id));
    }

    private IEnumerable<Measurement<long>> PerModel(Func<LoadedModelReading, long> value)
    {
        foreach (var model in Volatile.Read(ref _reading).Loaded)
            yield return new Measurement<long>(value(model), new KeyValuePair<string, object?>("model", _models.Of(model.Model)), new KeyValuePair<string, object?>("silo", _silo));
    }

    private KeyValuePair<string, object?> Silo() => new("silo", _silo);
}
