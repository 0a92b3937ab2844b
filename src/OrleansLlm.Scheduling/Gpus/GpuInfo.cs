namespace OrleansLlm.Scheduling.Gpus;

/// <summary>
/// One device a runner can be placed on: a GPU, or the CPU pseudo-device (library <c>cpu</c>,
/// free = system free memory). Memory in bytes.
/// </summary>
public sealed record GpuInfo
{
    public required string Id { get; init; }

    /// <summary><c>cuda</c>, <c>rocm</c>, <c>metal</c>, <c>oneapi</c> or <c>cpu</c>: one runner never mixes libraries.</summary>
    public required string Library { get; init; }

    public required long TotalMemory { get; init; }

    public required long FreeMemory { get; init; }

    /// <summary>Memory the runtime keeps for itself on this device (CUDA 457 MiB, CPU 0).</summary>
    public long MinimumMemory { get; init; }

    public string Name { get; init; } = "";

    /// <summary>Ordinal as the runtime numbers visible devices (llama.cpp's <c>CUDA{Index}</c>).</summary>
    public int Index { get; init; }

    public bool IsCpu => Library == GpuLibraries.Cpu;

    public static GpuInfo Cpu(long totalMemory, long freeMemory) => new()
    {
        Id = "cpu", Library = GpuLibraries.Cpu, TotalMemory = totalMemory, FreeMemory = freeMemory, Name = "CPU",
    };
}
