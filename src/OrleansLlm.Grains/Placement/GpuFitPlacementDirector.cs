using OrleansLlm.Gguf.Files;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Placement;
using Orleans.Storage;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Gguf;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Grains.Models;
using OrleansLlm.Grains.Telemetry;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;
using OrleansLlm.Scheduling.Replicas;

namespace OrleansLlm.Grains.Placement;

/// <summary>
/// Places a model grain: reads every silo's GPU snapshot, ranks the silos with
/// <see cref="ClusterPlacement"/>, and claims room on the best one that still agrees. It only makes
/// short grain calls — Orleans retries a director that throws, and a director must not wait for
/// evictions or loads — and every call it makes is idempotent per model, so a retry is harmless.
/// </summary>
internal sealed partial class GpuFitPlacementDirector(
    IGpuSiloDirectory gpuSilos,
    IServiceProvider services,
    ModelFileCache files,
    IOptions<OrleansLlmOptions> options,
    TimeProvider clock,
    ILogger<GpuFitPlacementDirector> logger) : IPlacementDirector
{
    private const int ClaimRounds = 3;

    /// <summary>The pause before asking silos again when none answered (doubled on the third round).</summary>
    private static readonly TimeSpan NoAnswerPause = TimeSpan.FromMilliseconds(250);

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = ModelKey.Parse(target.GrainIdentity.Key.ToString()!);
        var path = key.Path;
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0)
            throw new SiloUnavailableException($"no active silo can host model '{path}'");
        // A caller that names the silo (Orleans' placement hint) gets it, as with Orleans' own directors.
        if (IPlacementDirector.GetPlacementHint(target.RequestContextData, silos) is { } hint)
            return hint;

        GgufFile model;
        try
        {
            model = files.Header(path);
        }
        catch (Exception e) when (e is FileNotFoundException or GgufFormatException or UnauthorizedAccessException or IOException)
        {
            // The grain reports the problem on its first request; where it lives does not matter.
            return silos.Contains(context.LocalSilo) ? context.LocalSilo : silos[0];
        }
        var admitted = await OptionsOf(target).ConfigureAwait(false);
        using var span = OrleansLlmTracing.StartFromRequestContext("ollm.placement", target.RequestContextData);
        span?.SetTag("ollm.model", path);

        IReadOnlyList<HostChoice> ranked = [];
        for (var round = 0; round < ClaimRounds; round++)
        {
            // Directors on other silos place other models at the same time: a claim that no longer
            // holds sends this one to the next silo, and after a full round, to fresh snapshots.
            var snapshots = await gpuSilos.Snapshots(silos).ConfigureAwait(false);
            if (snapshots.Count == 0)
            {
                // No GPU silo answered: none may be running, or they are joining or overloaded
                // (seen on a loaded machine): ask again before telling the caller there is none.
                if (round < ClaimRounds - 1)
                {
                    await Task.Delay(NoAnswerPause * (round + 1), clock).ConfigureAwait(false);
                    continue;
                }
                throw new NoGpuHostException($"no GPU host is running to place model '{path}'");
            }
            var hosts = snapshots.Select(s => (s.SiloAddress, s.Host, s.QueuedLoads)).ToArray();
            var siblings = snapshots
                .Where(s => s.Host.Runners.Any(r => key.IsSiblingOf(r.ModelPath)) || s.QueuedModels.Any(key.IsSiblingOf))
                .Select(s => s.SiloAddress)
                .ToHashSet(StringComparer.Ordinal);
            ranked = ReplicaPlacement.Filter(key, ClusterPlacement.Rank(model, admitted, hosts, options.Value.SchedulerSettings, clock.GetUtcNow()), siblings);
            if (!key.IsPrimary && ranked.Count == 0)
                throw new NoRoomForReplicaException($"no silo without a runner of model '{path}' has room for replica {key.Replica} now");
            foreach (var choice in ranked.Where(c => c.Kind != HostChoiceKind.Never))
            {
                if (await gpuSilos.Claim(choice.Host, key.ToString(), admitted, choice.Kind).ConfigureAwait(false))
                {
                    LogPlaced(logger, key.ToString(), choice.Host, choice.Kind, choice.Reason);
                    span?.SetTag("ollm.placement.silo", choice.Host);
                    span?.SetTag("ollm.placement.kind", choice.Kind.ToString());
                    span?.SetTag("ollm.placement.reason", choice.Reason);
                    return SiloAddress.FromParsableString(choice.Host);
                }
            }
            if (ranked.All(c => c.Kind == HostChoiceKind.Never))
                break;
            if (!key.IsPrimary)
                throw new NoRoomForReplicaException($"the silos with room for replica {key.Replica} of model '{path}' took other models first");
        }
        if (ranked.Any(c => c.Kind != HostChoiceKind.Never))
            throw new ModelRelocatingException($"the silos changed {ClaimRounds} times while placing model '{path}'; placing it again");
        var reason = ranked[0].Reason;
        span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, reason);
        throw new ModelTooLargeException($"model '{path}' fits on no silo of the cluster: {reason}");
    }

    /// <summary>
    /// The runner options the model will load with: the calling request's, or — for an activation
    /// no request asked for (a reminder restoring a model after its host was lost) — the ones it
    /// was last loaded with, from its grain state.
    /// </summary>
    private async Task<RunnerOptions> OptionsOf(PlacementTarget target)
    {
        if (ModelRequestContext.RunnerOptionsIn(target.RequestContextData) is { } requested)
            return options.Value.Admit(requested);
        if (services.GetKeyedService<IGrainStorage>(OrleansLlmStorage.Name) is { } storage)
        {
            var state = new GrainState<ModelGrainState>(new ModelGrainState());
            await storage.ReadStateAsync(ModelGrain.StateName, target.GrainIdentity, state).ConfigureAwait(false);
            if (state.State is { WantLoaded: true, Options: { } saved })
                return saved;
        }
        return options.Value.Admit(RunnerOptions.Default);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Placing {Model} on {Silo}: {Kind} ({Reason})")]
    private static partial void LogPlaced(ILogger logger, string model, string silo, HostChoiceKind kind, string reason);
}
