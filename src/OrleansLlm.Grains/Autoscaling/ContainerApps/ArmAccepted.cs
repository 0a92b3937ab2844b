namespace OrleansLlm.Grains.Autoscaling.ContainerApps;

/// <summary>
/// ARM accepted a start or stop: done already (200), or running (202) with the URL to follow
/// it at (<c>Azure-AsyncOperation</c>, else <c>Location</c>) and how long to wait before the first poll.
/// </summary>
internal sealed record ArmAccepted(int Status, Uri? Monitor, TimeSpan? RetryAfter)
{
    public bool Done => Status != 202;
}
