using OrleansLlm.Abstractions.Autoscaling;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Grains.Autoscaling;
using OrleansLlm.Scheduling.Autoscaling;
using OrleansLlm.Scheduling.Placement;
using OrleansLlm.Server.Api;
using OrleansLlm.Server.Api.Ollama;
using OrleansLlm.Server.Telemetry;

using OrleansLlm.Scheduling.Replicas;

namespace OrleansLlm.Server.Dashboard;

/// <summary>
/// <c>GET /api/cluster</c> (ours): everything the dashboard shows, in one answer it polls — each
/// silo's GPUs split by the models holding them, the loads waiting for room and why, each silo's
/// recent events, the autoscaler's recent decisions, and this front-end's request rate and time to
/// first token. Silos that do not answer are listed as unreachable; the answer never fails for them.
/// Models are named as the API names them, in reasons too: never a path of the server's files.
/// </summary>
internal static partial class ClusterEndpoint
{
    /// <summary>The autoscaler's decisions shown: the latest few, enough for a glance.</summary>
    private const int DecisionsShown = 20;

    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cluster", Handle).WithMetadata(ErrorShape.Ollama);
        return app;
    }

    private static async Task<IResult> Handle(IGrainFactory grains, ModelCatalog catalog, ApiActivity activity, AutoscalerOptions autoscaler, TimeProvider clock, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(ClusterEndpoint));
        var scaling = Autoscaler(grains, autoscaler.Mode, catalog, logger);
        var cluster = await ClusterReader.Read(grains, logger, withActivity: true);
        return Results.Json(new
        {
            now = OllamaResponses.Timestamp(clock.GetUtcNow()),
            // Membership itself did not answer: the page says so and keeps polling.
            membership_reachable = cluster is not null,
            silos = cluster?.Silos.Select(s => Silo(s, catalog)).ToArray() ?? [],
            unreachable = cluster?.Unreachable ?? [],
            autoscaler = await scaling,
            activity = new
            {
                bucket_seconds = (int)ApiActivity.BucketLength.TotalSeconds,
                buckets = activity.Recent().Select(b => new
                {
                    start = OllamaResponses.Timestamp(b.Start),
                    requests = b.Requests,
                    failed = b.Failed,
                    ttft_mean_seconds = b.MeanTimeToFirstTokenSeconds,
                }),
            },
        }, OllamaJson.Options);
    }

    private static object Silo(SiloView view, ModelCatalog catalog)
    {
        var snapshot = view.Snapshot;
        var runners = snapshot.Host.Runners;
        string Name(string runnerKey)
        {
            var key = ModelKey.Parse(runnerKey);
            var name = catalog.NameOf(key.Path) ?? Path.GetFileNameWithoutExtension(key.Path);
            return key.IsPrimary ? name : $"{name} (replica {key.Replica})";
        }
        // Free as the scheduler counts it: the reported free memory, never more than what our own reservations leave.
        var accounted = GpuSelection.AccountForLoaded([.. snapshot.Host.Gpus, snapshot.Host.Cpu], runners);
        return new
        {
            address = snapshot.SiloAddress,
            draining = snapshot.Draining,
            takes_models = snapshot.TakesModels,
            inventory = snapshot.InventorySource,
            devices = accounted.Select(device => new
            {
                id = device.Id,
                name = device.Name,
                library = device.Library,
                total = device.TotalMemory,
                free = device.FreeMemory,
                reserved = runners.Sum(r => Bytes(r, device)),
                parts = runners.Where(r => Bytes(r, device) > 0).OrderBy(r => r.ModelPath, StringComparer.Ordinal).Select(r => new
                {
                    model = Name(r.ModelPath),
                    bytes = Bytes(r, device),
                    state = RunnerStates.Of(r),
                }),
            }),
            models = runners.OrderBy(r => r.ModelPath, StringComparer.Ordinal).Select(r => new
            {
                name = Name(r.ModelPath),
                state = RunnerStates.Of(r),
                requests = r.RefCount,
                keep_alive = RunnerStates.KeepAliveText(r.KeepAlive),
                expires_at = r.ExpiresAt is { } at && !r.KeepAlive.IsForever && r.RefCount == 0 ? OllamaResponses.Timestamp(at) : null,
                vram = r.VramBytes,
                ram = r.RamBytes,
            }),
            waiting = (view.Activity?.Waiting ?? []).Select(w => new { model = Name(w.ModelPath), since = OllamaResponses.Timestamp(w.Since), requests = w.WaitingRequests, reason = ClientErrors.WithoutPaths(w.Reason, catalog.NameOf) }),
            recent = (view.Activity?.Recent ?? []).Reverse().Select(e => new
            {
                at = OllamaResponses.Timestamp(e.At),
                kind = Kind(e.Kind),
                model = Name(e.ModelPath),
                detail = ClientErrors.WithoutPaths(e.Detail, catalog.NameOf),
            }),
        };
    }

    /// <summary>What <paramref name="runner"/> holds on <paramref name="device"/>: its share of a GPU, or its system memory on the CPU.</summary>
    private static long Bytes(LoadedRunner runner, Scheduling.Gpus.GpuInfo device) =>
        device.IsCpu ? runner.RamBytes : runner.VramByGpu.GetValueOrDefault(device.Id);

    private static string Kind(SiloEventKind kind) => kind switch
    {
        SiloEventKind.LoadGranted => "load",
        SiloEventKind.Loaded => "loaded",
        SiloEventKind.Waiting => "waiting",
        SiloEventKind.Evicting => "evict",
        SiloEventKind.Released => "unload",
        SiloEventKind.Draining => "drain",
        _ => "other",
    };

    /// <summary>The autoscaler's latest decisions; when it is off (on this front-end's reading of <c>OLLM_AUTOSCALER</c>) or does not answer, a note saying so.</summary>
    private static async Task<object> Autoscaler(IGrainFactory grains, AutoscalerMode mode, ModelCatalog catalog, ILogger logger)
    {
        if (mode == AutoscalerMode.Off)
            return new { mode = "off", note = "The autoscaler is off (OLLM_AUTOSCALER): hosts are started and stopped by hand.", decisions = Array.Empty<object>() };
        try
        {
            var status = AutoscalerEndpoint.WithModelNames(await grains.GetGrain<IAutoscalerGrain>(0).GetStatus().WaitAsync(ClusterReader.SiloAnswerTimeout), catalog);
            return new
            {
                mode = status.Mode,
                note = (string?)null,
                running = status.Running,
                desired = status.Desired,
                decisions = status.Decisions.TakeLast(DecisionsShown).Reverse().Select(d => new
                {
                    at = OllamaResponses.Timestamp(d.At),
                    action = d.Action,
                    host = d.HostId,
                    reason = d.Reason,
                    carried = d.Carried,
                }),
                unmet = status.Unmet,
            };
        }
        catch (Exception e) when (ClusterReader.DidNotAnswer(e))
        {
            LogAutoscalerSilent(logger, e.Message);
            return new { mode = mode.ToString().ToLowerInvariant(), note = "The autoscaler did not answer (its control silo may be down).", decisions = Array.Empty<object>() };
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "/api/cluster: the autoscaler did not answer: {Reason}")]
    private static partial void LogAutoscalerSilent(ILogger logger, string reason);
}
