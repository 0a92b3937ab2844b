namespace OrleansLlm.Scheduling.Gpus;

/// <summary>Device libraries and their per-device minimum reserve, as Ollama's GPU discovery sets them.</summary>
public static class GpuLibraries
{
    public const string Cuda = "cuda";
    public const string Rocm = "rocm";
    public const string Metal = "metal";
    public const string OneApi = "oneapi";
    public const string Cpu = "cpu";

    /// <summary>Ollama: CUDA and ROCm keep 457 MiB, Metal 512 MiB, oneAPI and CPU none.</summary>
    public static long MinimumMemory(string library) => library switch
    {
        Cuda or Rocm => 457L * 1024 * 1024,
        Metal => 512L * 1024 * 1024,
        _ => 0,
    };
}
