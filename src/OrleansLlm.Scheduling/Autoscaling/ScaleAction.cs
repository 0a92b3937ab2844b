namespace OrleansLlm.Scheduling.Autoscaling;

/// <summary>One thing the autoscaler decided to do, with the reason it is logged with.</summary>
public abstract record ScaleAction(string HostId, string Reason);

/// <summary>Start a stopped host of the pool (scale out) for <paramref name="For"/>: the models promised its room.</summary>
public sealed record StartHost(string HostId, string HostType, string Reason, IReadOnlyList<WantedModel> For) : ScaleAction(HostId, Reason);

/// <summary>Drain an idle host and stop it (scale in).</summary>
public sealed record StopHost(string HostId, string Reason) : ScaleAction(HostId, Reason);

/// <summary>A start that did not become ready in time: stop it and back its type off until <see cref="RetryAfter"/>.</summary>
public sealed record GiveUpHost(string HostId, string HostType, DateTimeOffset RetryAfter, string Reason) : ScaleAction(HostId, Reason);
