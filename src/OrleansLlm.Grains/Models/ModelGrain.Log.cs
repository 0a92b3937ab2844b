using Microsoft.Extensions.Logging;

namespace OrleansLlm.Grains.Models;

internal sealed partial class ModelGrain
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not persist the keep-alive intent of {Model} (retried in 5 s; it matters only if its host is lost): {Reason}")]
    private static partial void LogPersistFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report the usage of {Model} to its GPU silo (the next report corrects it): {Reason}")]
    private static partial void LogUsageReportFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unloading {Model}: its runner failed to close: {Reason}")]
    private static partial void LogDisposeFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the room of {Model} on its GPU silo: {Reason}")]
    private static partial void LogReleaseFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Model} on silo {Silo}, GPUs [{Gpus}]")]
    private static partial void LogLoaded(ILogger logger, string model, string silo, string gpus);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Loading {Model}: {Percent} %")]
    private static partial void LogLoadProgress(ILogger logger, string model, int percent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loading {Model} failed: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded {Model}: {Reason}")]
    private static partial void LogUnloaded(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicting {Victim} to make room for {Model}")]
    private static partial void LogEvicting(ILogger logger, string victim, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Asking {Victim} to drain to make room for {Model}: {Reason}")]
    private static partial void LogDrainingForRoom(ILogger logger, string victim, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model} drains to make room for {ForModel}: no new request; it unloads when its {InFlight} request(s) in flight end")]
    private static partial void LogYielding(ILogger logger, string model, string forModel, int inFlight);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Model} waits for room: {Reason}")]
    private static partial void LogWaiting(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GPU memory of {Model} did not recover within 5 s after unload")]
    private static partial void LogVramNotRecovered(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restoring {Model} on silo {Silo} after its host was lost")]
    private static partial void LogRestoring(ILogger logger, string model, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restoring {Model} failed: {Reason}")]
    private static partial void LogRestoreFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deactivated {Model}: {Reason}")]
    private static partial void LogDeactivated(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting {Replica} on silo {Silo}: every runner of the model has had all its slots taken ({InFlight} requests on the primary)")]
    private static partial void LogReplicaStarting(ILogger logger, string replica, string silo, int inFlight);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forgetting {Replica}: its silo {Silo} is dead")]
    private static partial void LogReplicaLost(ILogger logger, string replica, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Not starting {Replica}: {Reason}")]
    private static partial void LogReplicaNotStarted(ILogger logger, string replica, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {Replica} did not load: {Reason}")]
    private static partial void LogReplicaLoadFailed(ILogger logger, string replica, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Telling {Model} about its replicas failed: {Reason}")]
    private static partial void LogReplicaReportFailed(ILogger logger, string model, string reason);
}
