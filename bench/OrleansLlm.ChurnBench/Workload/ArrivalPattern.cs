namespace OrleansLlm.ChurnBench.Workload;

/// <summary>How the arrival rate varies over the trace (<c>--arrivals</c>).</summary>
internal enum ArrivalPattern
{
    /// <summary>The mean rate throughout.</summary>
    Steady,

    /// <summary>
    /// Day-like: each period rises from nothing to the rate at its first quarter and falls back by
    /// its half (a half sine), then stays quiet for its second half — the quiet nights and busy
    /// days that make scaling in worth it.
    /// </summary>
    Swing,

    /// <summary>Each period: the full rate for its first half, then nothing — a step up from quiet and a step down, for burst reaction.</summary>
    Step,
}
