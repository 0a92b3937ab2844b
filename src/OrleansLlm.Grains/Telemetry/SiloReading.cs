namespace OrleansLlm.Grains.Telemetry;

/// <summary>
/// What a silo's <c>GpuSiloGrain</c> holds, as it last published it for <see cref="SiloGauges"/>: the
/// bytes reserved per GPU id (claims, queued-and-granted loads, loads in progress, loaded runners) and
/// each loaded runner's predicted and measured memory.
/// </summary>
public sealed record SiloReading(IReadOnlyDictionary<string, long> ReservedByGpu, IReadOnlyList<LoadedModelReading> Loaded)
{
    public static readonly SiloReading Empty = new(new Dictionary<string, long>(), []);
}
