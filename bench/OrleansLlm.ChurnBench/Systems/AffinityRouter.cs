namespace OrleansLlm.ChurnBench.Systems;

/// <summary>
/// The router Ollama-fleet projects put in front of independent hosts (LocalAI's distributed mode,
/// OllamaFlow, llama-swap peers): to a host where the model is loaded with a free slot; else where
/// it fits in free memory; else where idle models can be evicted to make room; else the least
/// loaded host. Within a tier the least loaded host wins, then the lowest index.
/// </summary>
internal static class AffinityRouter
{
    private static readonly Func<SeedHostView, bool>[] Tiers =
    [
        v => v.FreeSlot,
        v => v.FitsFree,
        v => v.FitsAfterIdleEvicted,
        _ => true,
    ];

    public static int Pick(IReadOnlyList<SeedHostView> hosts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(hosts.Count);
        foreach (var tier in Tiers)
        {
            var best = -1;
            for (var i = 0; i < hosts.Count; i++)
            {
                if (tier(hosts[i]) && (best < 0 || hosts[i].Load < hosts[best].Load))
                    best = i;
            }
            if (best >= 0)
                return best;
        }
        throw new InvalidOperationException("the last tier takes every host");
    }
}
