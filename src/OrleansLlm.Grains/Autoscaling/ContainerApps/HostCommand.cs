namespace OrleansLlm.Grains.Autoscaling.ContainerApps;

/// <summary>
/// A start or stop ARM accepted for one app and not yet seen through: until runningStatus shows
/// its target, the app is reported in between (Starting, Stopping), or Failed once the operation
/// failed or outlived the operation timeout.
/// </summary>
/// <param name="Monitor">The operation's monitor URL while it is followed; null once it finished, or when it cannot be followed.</param>
/// <param name="NextPoll">Not polled before this (ARM's <c>Retry-After</c>).</param>
/// <param name="Failure">Why it failed; the app stays Failed until the next start or stop.</param>
internal sealed record HostCommand(HostCommandKind Kind, DateTimeOffset AcceptedAt, Uri? Monitor, DateTimeOffset NextPoll, string? Failure)
{
    public string Action => Kind == HostCommandKind.Start ? "start" : "stop";

    public ProvidedHostStatus Target => Kind == HostCommandKind.Start ? ProvidedHostStatus.Running : ProvidedHostStatus.Stopped;

    public ProvidedHostStatus InBetween => Kind == HostCommandKind.Start ? ProvidedHostStatus.Starting : ProvidedHostStatus.Stopping;
}
