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
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Grains.Placement;

/// <summary>
/// Places a model grain: reads every silo's GPU snapshot, ranks the silos with
/// <see cref="ClusterPlacement"/>, and claims room on the best one that still agrees. It only makes
/// short grain calls — Orleans retries a director that throws, and a director must not wait for
/// evictions or loads — and every call it makes is idempotent per model, so a retry is harmless.
/// </summary>
internal sealed partial class GpuFitPlacementDirector(
    IGrainFactory grains,
    IServiceProvider services,
    ModelHeaderCache headers,
    IOptions<OllmOptions> options,
    TimeProvider clock,
    ILogger<GpuFitPlacementDirector> logger) : IPlacementDirector
{
    private const int ClaimRounds = 3;

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        var path = target.GrainIdentity.Key.ToString()!;
        var admitted = await OptionsOf(target).ConfigureAwait(false);

        GgufFile model;
        try
        {
            model = headers.Get(path);
        }
        catch (Exception e) when (e is FileNotFoundException or GgufFormatException or UnauthorizedAccessException or IOException)
        {
            // The grain reports the problem on its first request; where it lives does not matter.
            return silos.Contains(context.LocalSilo) ? context.LocalSilo : silos[0];
        }

        IReadOnlyList<HostChoice> ranked = [];
        for (var round = 0; round < ClaimRounds; round++)
        {
            // Directors on other silos place other models at the same time: a claim that no longer
            // holds sends this one to the next silo, and after a full round, to fresh snapshots.
            var snapshots = await Task.WhenAll(silos.Select(Snapshot)).ConfigureAwait(false);
            var hosts = snapshots.Where(s => s.Snapshot is not null)
                .Select(s => (s.Silo.ToParsableString(), s.Snapshot!.Host, s.Snapshot.QueuedLoads)).ToArray();
            ranked = ClusterPlacement.Rank(model, admitted, hosts, options.Value.SchedulerSettings, clock.GetUtcNow());
            foreach (var choice in ranked.Where(c => c.Kind != HostChoiceKind.Never))
            {
                if (await grains.GetGrain<IGpuSiloGrain>(choice.Host).Claim(path, admitted, choice.Kind).ConfigureAwait(false))
                {
                    LogPlaced(logger, path, choice.Host, choice.Kind, choice.Reason);
                    return SiloAddress.FromParsableString(choice.Host);
                }
            }
            if (ranked.All(c => c.Kind == HostChoiceKind.Never))
                break;
        }
        if (ranked.Any(c => c.Kind != HostChoiceKind.Never))
            throw new ModelRelocatingException($"the silos changed {ClaimRounds} times while placing model '{path}'; placing it again");
        var reason = ranked.Count == 0 ? "no GPU silo is active" : ranked[0].Reason;
        throw new ModelTooLargeException($"model '{path}' fits on no silo of the cluster: {reason}");
    }

    /// <summary>
    /// The runner options the model will load with: the calling request's, or — for an activation
    /// no request asked for (a reminder restoring a model after its host was lost) — the ones it
    /// was last loaded with, from its grain state.
    /// </summary>
    private async Task<RunnerOptions> OptionsOf(PlacementTarget target)
    {
        if (target.RequestContextData?.GetValueOrDefault(ModelRequestContext.RunnerOptionsKey) is { } requested)
            return options.Value.Admit(ModelRequestContext.Decode(requested));
        if (services.GetKeyedService<IGrainStorage>(OllmStorage.Name) is { } storage)
        {
            var state = new GrainState<ModelGrainState>(new ModelGrainState());
            await storage.ReadStateAsync(ModelGrain.StateName, target.GrainIdentity, state).ConfigureAwait(false);
            if (state.State is { WantLoaded: true, Options: { } saved })
                return saved;
        }
        return options.Value.Admit(RunnerOptions.Default);
    }

    private async Task<(SiloAddress Silo, SiloSnapshot? Snapshot)> Snapshot(SiloAddress silo)
    {
        try
        {
            return (silo, await grains.GetGrain<IGpuSiloGrain>(silo.ToParsableString()).GetSnapshot().ConfigureAwait(false));
        }
        catch (Exception e) when (e is SiloUnavailableException or OrleansException or TimeoutException)
        {
            // A silo that just died is still "compatible" until membership notices.
            LogSiloSkipped(logger, silo, e.Message);
            return (silo, null);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Placing {Model} on {Silo}: {Kind} ({Reason})")]
    private static partial void LogPlaced(ILogger logger, string model, string silo, HostChoiceKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} skipped for placement: {Reason}")]
    private static partial void LogSiloSkipped(ILogger logger, SiloAddress silo, string reason);
}
