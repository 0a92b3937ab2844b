namespace OrleansLlm.Grains.Autoscaling.ContainerApps;

/// <summary>Start or stop, the two things the provider asks of ARM.</summary>
internal enum HostCommandKind
{
    Start,
    Stop,
}
