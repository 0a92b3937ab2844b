namespace OrleansLlm.Scheduling.Gpus;

/// <summary>System memory as the process may use it: the machine's, capped by its container's limit.</summary>
public sealed record SystemMemory(long Total, long Free, long SwapFree)
{
    /// <summary>The CPU pseudo-device placement uses.</summary>
    public GpuInfo AsDevice() => GpuInfo.Cpu(Total, Free);
}
