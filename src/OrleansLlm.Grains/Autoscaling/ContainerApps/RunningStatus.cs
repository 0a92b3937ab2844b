namespace OrleansLlm.Grains.Autoscaling.ContainerApps;

/// <summary>
/// A container app's <c>properties.runningStatus</c> as a <see cref="ProvidedHostStatus"/>. The
/// API (2025-07-01) documents Progressing ("transitioning between Stopped and Running"), Running,
/// Stopped, and Suspended and Ready for jobs; the value is an open string, so the in-between and
/// failure words other Azure resources use are read too.
/// </summary>
internal static class RunningStatus
{
    /// <summary>
    /// Maps <paramref name="runningStatus"/>; <paramref name="lastCommand"/> says which way an
    /// in-between status goes (Progressing does not). With no command known (one asked before this
    /// process started), in between is Starting: a starting host is not started again, and one
    /// that never becomes ready is stopped by the autoscaler after its start timeout. A value not
    /// known here (a job's Suspended or Ready, a new word, none at all) is Failed: never counted as
    /// room, at worst started again (ARM then says why not); <paramref name="known"/> is false
    /// then, for the caller to log it once.
    /// </summary>
    public static ProvidedHostStatus Map(string? runningStatus, HostCommandKind? lastCommand, out bool known)
    {
        known = true;
        switch (runningStatus?.Trim().ToUpperInvariant())
        {
            case "RUNNING":
                return ProvidedHostStatus.Running;
            case "STOPPED":
                return ProvidedHostStatus.Stopped;
            case "STARTING":
                return ProvidedHostStatus.Starting;
            case "STOPPING":
                return ProvidedHostStatus.Stopping;
            case "PROGRESSING" or "PROCESSING" or "INPROGRESS" or "UPDATING":
                return lastCommand == HostCommandKind.Stop ? ProvidedHostStatus.Stopping : ProvidedHostStatus.Starting;
            case "FAILED":
                return ProvidedHostStatus.Failed;
            default:
                known = false;
                return ProvidedHostStatus.Failed;
        }
    }
}
