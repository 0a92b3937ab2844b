using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Eviction;

/// <summary>
/// Bounded waits behind busy models: the runners a load asks to drain when it has waited longer
/// than <see cref="SchedulerSettings.DrainBusyAfter"/> for memory that only busy runners hold. A
/// drained runner admits no new request, lets the ones in flight finish (never cut), then unloads.
/// </summary>
/// <remarks>
/// Never chosen: a pinned runner (keep-alive forever), a loading one, and one resident for less
/// than <see cref="SchedulerSettings.MinResidency"/> (ModelMesh's minimum churn age: a model that
/// just loaded is not sent away again, so two models cannot take turns draining each other).
/// Cheapest first: runners already draining (their room is coming anyway), then the fewest
/// requests in flight (the least to wait for), then the larger (fewer runners disturbed).
/// </remarks>
public static class BusyDrain
{
    /// <param name="runners">The host's runners.</param>
    /// <param name="fitsWithout">Whether the new model fits once the given runners are gone (the placement planner).</param>
    /// <returns>The runners to drain (empty when draining cannot make room, or when those already draining will).</returns>
    public static BusyDrainPlan Choose(IReadOnlyList<LoadedRunner> runners, Func<IReadOnlyList<LoadedRunner>, bool> fitsWithout, DateTimeOffset now, TimeSpan minResidency)
    {
        ArgumentNullException.ThrowIfNull(runners);
        ArgumentNullException.ThrowIfNull(fitsWithout);
        var candidates = runners
            .Where(r => r.Yielding || MayDrain(r, now, minResidency))
            .OrderBy(r => r.Yielding ? 0 : 1)
            .ThenBy(r => r.RefCount)
            .ThenByDescending(r => r.TotalBytes)
            .ThenBy(r => r.ModelPath, StringComparer.Ordinal)
            .ToList();
        if (candidates.Count == 0 || !fitsWithout(candidates))
            return BusyDrainPlan.None;

        // A runner already draining costs nothing more: it is never dropped.
        var chosen = GreedyFit.Choose(candidates, fitsWithout, keep: r => r.Yielding);
        return new BusyDrainPlan([.. chosen.Where(r => !r.Yielding)], true);
    }

    /// <summary>Whether a runner may be asked to drain for another model's load.</summary>
    public static bool MayDrain(LoadedRunner runner, DateTimeOffset now, TimeSpan minResidency)
    {
        ArgumentNullException.ThrowIfNull(runner);
        return !runner.Loading && !runner.Yielding && !runner.KeepAlive.IsForever
            && runner.LoadedAt is { } loadedAt && now - loadedAt >= minResidency;
    }
}

/// <param name="Victims">The runners to ask to drain now.</param>
/// <param name="MakesRoom">Draining (these and the runners already draining) makes the model fit.</param>
public sealed record BusyDrainPlan(IReadOnlyList<LoadedRunner> Victims, bool MakesRoom)
{
    public static BusyDrainPlan None { get; } = new([], false);
}
