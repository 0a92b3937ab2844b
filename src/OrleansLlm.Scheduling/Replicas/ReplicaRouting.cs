using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Scheduling.Replicas;

/// <summary>Which runner of a model a request goes to, decided by the model's primary.</summary>
public static class ReplicaRouting
{
    /// <summary>
    /// The ready runner loaded with the request's options that has the most free slots (ties: the
    /// fewest in flight, then the primary and lower indexes, so one runner is preferred when all are
    /// idle and the others can expire); the primary (index 0) when none is ready — it loads, or waits
    /// for its load, as a model with one runner does.
    /// </summary>
    public static int Choose(IReadOnlyList<ReplicaView> runners, RunnerOptions requested, int slots)
    {
        ArgumentNullException.ThrowIfNull(runners);
        var best = runners
            .Where(r => r.Ready && r.Options == requested)
            .OrderByDescending(r => slots - r.InFlight)
            .ThenBy(r => r.InFlight)
            .ThenBy(r => r.Index)
            .FirstOrDefault();
        return best?.Index ?? 0;
    }
}
