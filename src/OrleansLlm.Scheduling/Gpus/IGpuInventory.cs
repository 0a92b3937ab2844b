namespace OrleansLlm.Scheduling.Gpus;

/// <summary>The devices of this host and its system memory, read fresh on each call.</summary>
public interface IGpuInventory
{
    /// <summary>Where the numbers come from ("NVML 550.54", "OLLM_GPUS"), for logs and health.</summary>
    string Source { get; }

    /// <summary>
    /// Whether free memory is read live from the devices (and so lags after an unload); a
    /// configured inventory reports fixed numbers and needs no recovery wait.
    /// </summary>
    bool ReportsLiveFreeMemory { get; }

    IReadOnlyList<GpuInfo> GetGpus();

    SystemMemory GetSystemMemory();
}
