namespace OrleansLlm.Abstractions.Runners;

/// <summary>Bytes a loaded runner holds: per GPU id, and in all (GPU plus system memory).</summary>
[GenerateSerializer, Immutable, Alias("ollm.RunnerMemory")]
public sealed record RunnerMemory(
    [property: Id(0)] IReadOnlyDictionary<string, long> VramByGpu,
    [property: Id(1)] long TotalBytes)
{
    public long VramBytes => VramByGpu.Values.Sum();
}
