namespace OrleansLlm.Scheduling.Gpus;

/// <summary>Chooses the inventory: <c>OLLM_GPUS</c> when configured, otherwise NVML discovery.</summary>
public static class GpuInventory
{
    /// <param name="configuredGpus">The <c>OLLM_GPUS</c> value; null or absent = discover.</param>
    /// <param name="cudaVisibleDevices">The <c>CUDA_VISIBLE_DEVICES</c> value.</param>
    public static IGpuInventory Create(string? configuredGpus, string? cudaVisibleDevices) =>
        configuredGpus is not null
            ? ConfiguredGpuInventory.Parse(configuredGpus)
            : new NvmlGpuInventory(visibleDevices: cudaVisibleDevices);
}
