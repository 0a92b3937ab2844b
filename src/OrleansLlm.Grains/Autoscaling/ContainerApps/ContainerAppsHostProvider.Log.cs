using Microsoft.Extensions.Logging;

namespace OrleansLlm.Grains.Autoscaling.ContainerApps;

public sealed partial class ContainerAppsHostProvider
{
    [LoggerMessage(Level = LogLevel.Information, Message = "ARM accepted the {Action} of container app {App} (HTTP {Status})")]
    private static partial void LogAccepted(ILogger logger, string action, string app, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Action} of container app {App} failed (reported Failed until its next start or stop): {Reason}")]
    private static partial void LogOperationFailed(ILogger logger, string action, string app, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Action} operation of container app {App} cannot be followed ({Reason}); its runningStatus tells instead")]
    private static partial void LogUnwatchable(ILogger logger, string action, string app, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling the {Action} of container app {App} failed (polled again later): {Reason}")]
    private static partial void LogPollFailed(ILogger logger, string action, string app, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ARM named a monitor on another host ({Host}) for the {Action} of container app {App}: not polled, the ARM token goes to ARM only; its runningStatus tells instead")]
    private static partial void LogForeignMonitor(ILogger logger, string action, string app, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container app {App} reports runningStatus '{RunningStatus}', which this provider does not know: reported Failed (no room; the autoscaler takes it for a stopped host)")]
    private static partial void LogUnknownStatus(ILogger logger, string app, string runningStatus);
}
