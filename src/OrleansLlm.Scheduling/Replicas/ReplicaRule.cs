using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Scheduling.Replicas;

/// <summary>When a model's primary starts another runner, and how long replicas are kept.</summary>
public static class ReplicaRule
{
    /// <summary>
    /// At least one runner serves the requested options and every one that does has all its slots
    /// taken (a new request would wait for one), and no runner is still starting.
    /// </summary>
    public static bool Saturated(IReadOnlyList<ReplicaView> runners, RunnerOptions requested, int slots)
    {
        ArgumentNullException.ThrowIfNull(runners);
        var serving = runners.Where(r => r.Ready && r.Options == requested).ToArray();
        return serving.Length > 0 && serving.All(r => r.InFlight >= slots) && !runners.Any(r => r.Starting);
    }

    /// <summary>
    /// Whether to start another runner now: saturated without a break since
    /// <paramref name="saturatedSince"/> for at least <see cref="ReplicaSettings.AddAfter"/>, and
    /// fewer runners than <see cref="ReplicaSettings.MaxReplicas"/>. Whether a silo has room is the
    /// placement director's to say: a replica is placed only where it fits now or after evicting
    /// idle models, never where it would wait.
    /// </summary>
    public static bool ShouldAdd(IReadOnlyList<ReplicaView> runners, DateTimeOffset? saturatedSince, DateTimeOffset now, ReplicaSettings settings)
    {
        ArgumentNullException.ThrowIfNull(runners);
        ArgumentNullException.ThrowIfNull(settings);
        var count = runners.Count(r => r.Ready || r.Starting);
        return saturatedSince is { } since && now - since >= settings.AddAfter && count < settings.MaxReplicas;
    }

    /// <summary>The lowest replica index (≥ 1) no runner uses.</summary>
    public static int NextIndex(IReadOnlyList<ReplicaView> runners)
    {
        ArgumentNullException.ThrowIfNull(runners);
        var used = runners.Select(r => r.Index).ToHashSet();
        var index = 1;
        while (used.Contains(index))
            index++;
        return index;
    }

    /// <summary>
    /// A replica's keep-alive: the request's, except that a replica is never pinned — it exists for
    /// load that comes and goes, so a pinned model's replicas get the server's default (Ollama's five
    /// minutes where that default is itself forever), and only its primary stays.
    /// </summary>
    public static KeepAliveDuration KeepAlive(KeepAliveDuration requested, KeepAliveDuration serverDefault) =>
        !requested.IsForever ? requested
        : !serverDefault.IsForever ? serverDefault
        : KeepAliveDuration.Default;
}
