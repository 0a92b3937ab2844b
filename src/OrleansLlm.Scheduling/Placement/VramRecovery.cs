using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.Scheduling.Placement;

/// <summary>
/// After a runner closes, drivers report its memory as free only after a while; loading the next
/// model before that would see too little VRAM. Ollama polls every 250 ms until 80 % of the
/// runner's estimate is back, for 5 s at most.
/// </summary>
public static class VramRecovery
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    public const double Threshold = 0.8;

    /// <summary>
    /// Whether the GPUs got back enough memory. Signed arithmetic: Ollama subtracts unsigned
    /// free-memory totals, so free memory that <em>dropped</em> (another process allocated) wraps
    /// to a huge number and reads as recovered.
    /// </summary>
    public static bool HasRecovered(IReadOnlyList<GpuInfo> before, IReadOnlyList<GpuInfo> now, long estimatedVram)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(now);
        var ids = before.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        var freeBefore = before.Sum(g => g.FreeMemory);
        var freeNow = now.Where(g => ids.Contains(g.Id)).Sum(g => g.FreeMemory);
        return freeNow - freeBefore > (long)(Threshold * estimatedVram);
    }
}
