namespace OrleansLlm.Grains.Autoscaling.ContainerApps;

/// <summary>What one poll of a long-running ARM operation said.</summary>
internal abstract record ArmPoll
{
    /// <summary>Not finished; poll again no sooner than <paramref name="RetryAfter"/> (ARM's <c>Retry-After</c>) when given.</summary>
    public sealed record InProgress(TimeSpan? RetryAfter) : ArmPoll;

    public sealed record Succeeded : ArmPoll;

    /// <summary>The operation ended in failure (or was cancelled); ARM's error.</summary>
    public sealed record Failed(ArmError Error) : ArmPoll;

    /// <summary>The operation cannot be followed (forbidden to this identity, or unknown to ARM); its outcome shows in runningStatus.</summary>
    public sealed record Unwatchable(string Reason) : ArmPoll;

    /// <summary>ARM did not answer usefully this time (throttled, 5xx after retries): poll again later.</summary>
    public sealed record Transient(string Reason) : ArmPoll;
}
