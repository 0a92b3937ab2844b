namespace OrleansLlm.Scheduling.Gpus;

/// <summary>The devices of this host and its system memory, read fresh on each call.</summary>
public interface IGpuInventory
{
    /// <summary>Where the numbers come from ("NVML 550.54", "OLLM_GPUS"), for logs and health.</summary>
    string Source { get; }

    IReadOnlyList<GpuInfo> GetGpus();

    SystemMemory GetSystemMemory();
}
