using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Grains.Configuration;

namespace OrleansLlm.Grains.Hosting;

/// <summary>
/// A silo's graceful shutdown (SIGTERM, how Container Apps stops a replica), before Orleans' own
/// — which would deactivate the model grains under their open streams. In order: readiness fails
/// and the silo takes no new placements; the requests in flight finish, within the shutdown grace;
/// then each model unloads and releases its room, and one still wanted (pinned, or kept alive)
/// is placed again on another silo at once; then Orleans leaves membership. A stream still running
/// when the grace is spent is cut by the shutdown and its caller gets a clear error line.
/// </summary>
internal sealed partial class SiloDrain(
    SiloDrainState state,
    IGrainFactory grains,
    ILocalSiloDetails localSilo,
    IOptions<OrleansLlmOptions> options,
    TimeProvider clock,
    ILogger<SiloDrain> logger) : IHostedLifecycleService
{
    /// <summary>Kept back from the grace for unloading, re-placing and Orleans' own shutdown.</summary>
    internal static readonly TimeSpan StopReserve = TimeSpan.FromSeconds(8);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        state.Begin();
        var started = clock.GetTimestamp();
        var grace = options.Value.ShutdownGrace;
        var streamsUntil = clock.GetUtcNow() + (grace > StopReserve * 2 ? grace - StopReserve : grace / 2);
        var gpus = grains.GetGrain<IGpuSiloGrain>(localSilo.SiloAddress.ToParsableString());
        LogDraining(logger, grace);
        try
        {
            // Until every model here is idle (or the streams' share of the grace is spent), unload
            // the idle ones as they come: a model whose last stream ended need not wait for the rest.
            // A model that drained is not asked again: its activation may be on its way to another
            // silo (its room here released a moment later), and a call would only place it anew.
            var drained = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                var models = (await gpus.GetSnapshot()).Host.Runners;
                var busy = 0;
                foreach (var model in models.Where(m => !drained.Contains(m.ModelPath)))
                {
                    if (await DrainOne(model.ModelPath))
                        drained.Add(model.ModelPath);
                    else
                        busy++;
                }
                if (busy == 0 || clock.GetUtcNow() >= streamsUntil || cancellationToken.IsCancellationRequested)
                {
                    LogDrained(logger, models.Count - busy, busy, clock.GetElapsedTime(started));
                    return;
                }
                await Task.Delay(Poll, clock, cancellationToken);
            }
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or OperationCanceledException)
        {
            LogDrainFailed(logger, e.Message);
        }
    }

    /// <summary>
    /// Drains one model; true when it is done here. A model that cannot be drained (its call
    /// failed: no silo left to place it on, a timeout) is logged and left to Orleans' own shutdown —
    /// one model must not keep the silo from leaving, nor the others from draining.
    /// </summary>
    private async Task<bool> DrainOne(string modelPath)
    {
        try
        {
            return await grains.GetGrain<IModelGrain>(modelPath).Drain();
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            LogModelDrainFailed(logger, modelPath, e.Message);
            return true;
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining: no new placements here; requests in flight may finish within {Grace}")]
    private static partial void LogDraining(ILogger logger, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drained: {Unloaded} model(s) unloaded, {Busy} still busy, after {Elapsed}")]
    private static partial void LogDrained(ILogger logger, int unloaded, int busy, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining {Model} failed, left to the shutdown: {Reason}")]
    private static partial void LogModelDrainFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drain cut short: {Reason}")]
    private static partial void LogDrainFailed(ILogger logger, string reason);
}
