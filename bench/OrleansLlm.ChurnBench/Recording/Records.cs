namespace OrleansLlm.ChurnBench.Recording;

/// <summary>A runner load on a host, from asking the runner to load until it was ready (or failed).</summary>
internal sealed record LoadRecord(string Host, string Model, double Started, double Finished, long VramBytes, bool Succeeded)
{
    public double Seconds => Finished - Started;
}

internal sealed record UnloadRecord(string Host, string Model, double Time);

/// <summary>Where a request ran: its host, when that runner had become ready, and when the request got a slot.</summary>
internal sealed record RunnerStart(string Host, double RunnerReady, double Started);

internal sealed record MemorySample(string Host, double Time, long VramBytes);

/// <summary>One request's fate as its client saw it.</summary>
internal sealed record RequestRecord(int Id, string Model, double Arrival, double? FirstToken, double? Finished, string? Error)
{
    public RunnerStart? Runner { get; init; }

    /// <summary>When it ended, served or not (a failure's time: <see cref="Finished"/> is only a success's).</summary>
    public double? Ended { get; init; }

    /// <summary>Its model was not ready on the host that served it when it arrived (or it was never served).</summary>
    public bool Cold => Runner is not { } r || r.RunnerReady > Arrival;

    /// <summary>Arrival to first token; infinite for a request that never got one (refused, failed, unfinished).</summary>
    public double Ttft => FirstToken is { } first ? first - Arrival : double.PositiveInfinity;

    /// <summary>From arrival until a runner slot began on it: waiting for a load, for room, for a slot.</summary>
    public double? QueueWait => Runner is { } r ? r.Started - Arrival : null;

    public bool Busy => Error is not null && Error.Contains("server busy", StringComparison.Ordinal);
}
