namespace OrleansLlm.Grains.Telemetry;

/// <summary>Why a runner was unloaded.</summary>
public enum UnloadReason
{
    /// <summary>Its keep-alive ran out while idle.</summary>
    Expired,

    /// <summary>Another model needed its memory or its slot under the loaded-model cap.</summary>
    Evicted,

    /// <summary>A request asked for it (keep_alive 0 on an empty request, <c>ollm stop</c>).</summary>
    Requested,

    /// <summary>The last request had keep_alive 0: unloaded as soon as it went idle.</summary>
    KeepAliveZero,

    /// <summary>A request needed other runner options, adapters or projectors: unloaded to load again.</summary>
    Reload,

    /// <summary>Its silo is shutting down: unloaded once idle, and placed again elsewhere if still wanted.</summary>
    Drained,

    /// <summary>The runner failed its health check (a decode failure): unloaded to load again.</summary>
    Failed,

    /// <summary>Its activation went with the runner still loaded (a silo stopped without draining, a migration).</summary>
    Deactivated,

    /// <summary>Another model's load waited too long behind it while busy: it took no new request, finished those in flight, and unloaded.</summary>
    DrainedForRoom,
}

internal static class UnloadReasonExtensions
{
    public static string ToTag(this UnloadReason reason) => reason switch
    {
        UnloadReason.Expired => "expired",
        UnloadReason.Evicted => "evicted",
        UnloadReason.Requested => "requested",
        UnloadReason.KeepAliveZero => "keep_alive_zero",
        UnloadReason.Reload => "reload",
        UnloadReason.Drained => "drained",
        UnloadReason.Failed => "failed",
        UnloadReason.Deactivated => "deactivated",
        UnloadReason.DrainedForRoom => "drained_for_room",
        _ => "other",
    };
}
