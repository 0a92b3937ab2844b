using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Eviction;

/// <summary>
/// The cluster's eviction rule: the cheapest set of idle runners on one host whose release makes
/// the new model fit. Cheapest means, in order: fewest pinned (keep-alive forever) runners, fewest
/// bytes released, shortest remaining keep-alive. A runner with requests in flight is never chosen;
/// when idle runners cannot make room, the busy runner likely to free first is named instead.
/// </summary>
/// <remarks>
/// The seed instead evicts one runner at a time by keep-alive alone, whatever its size — evicting
/// a small model that cannot make room and then evicting again.
/// </remarks>
public static class CheapestIdleEviction
{
    /// <summary>Up to this many idle runners every subset is tried; above it, greedy then pruned.</summary>
    public const int ExhaustiveLimit = 12;

    /// <param name="runners">The host's runners.</param>
    /// <param name="fitsWithout">Whether the new model fits once the given runners are gone (the placement planner).</param>
    /// <param name="now">For the remaining keep-alive of idle runners.</param>
    public static EvictionPlan Choose(IReadOnlyList<LoadedRunner> runners, Func<IReadOnlyList<LoadedRunner>, bool> fitsWithout, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(runners);
        ArgumentNullException.ThrowIfNull(fitsWithout);
        var idle = runners.Where(r => r.IsIdle && !r.Loading)
            .OrderBy(r => Cost.Of([r], now))
            .ThenBy(r => r.ModelPath, StringComparer.Ordinal)
            .ToArray();

        // Releasing more never makes a fit worse: if all idle runners are not enough, no subset is.
        if (idle.Length == 0 || !fitsWithout(idle))
            return new([], SoonestToFree(runners));

        var victims = idle.Length <= ExhaustiveLimit ? Exhaustive(idle, fitsWithout, now) : GreedyFit.Choose(idle, fitsWithout);
        return new(victims, null);
    }

    private static LoadedRunner[] Exhaustive(LoadedRunner[] idle, Func<IReadOnlyList<LoadedRunner>, bool> fitsWithout, DateTimeOffset now)
    {
        var subsets = new List<(LoadedRunner[] Set, Cost Cost)>((1 << idle.Length) - 1);
        for (var mask = 1; mask < 1 << idle.Length; mask++)
        {
            var set = idle.Where((_, i) => (mask & (1 << i)) != 0).ToArray();
            subsets.Add((set, Cost.Of(set, now)));
        }
        foreach (var (set, _) in subsets.OrderBy(s => s.Cost).ThenBy(s => s.Set.Length))
        {
            if (fitsWithout(set))
                return set;
        }
        return idle;
    }

    /// <summary>Fewest requests in flight, then shortest keep-alive, then path.</summary>
    private static LoadedRunner? SoonestToFree(IReadOnlyList<LoadedRunner> runners) =>
        runners.Where(r => !r.Loading && !r.IsIdle)
            .OrderBy(r => r.RefCount)
            .ThenBy(r => r.KeepAlive)
            .ThenBy(r => r.ModelPath, StringComparer.Ordinal)
            .FirstOrDefault();

    private readonly record struct Cost(int Pinned, long Bytes, TimeSpan RemainingKeepAlive) : IComparable<Cost>
    {
        public static Cost Of(IReadOnlyList<LoadedRunner> set, DateTimeOffset now)
        {
            int pinned = 0;
            long bytes = 0;
            var remaining = TimeSpan.Zero;
            foreach (var r in set)
            {
                if (r.KeepAlive.IsForever)
                    pinned++;
                bytes += r.TotalBytes;
                var left = r.KeepAlive.IsForever ? TimeSpan.Zero
                    : r.ExpiresAt is { } at ? (at > now ? at - now : TimeSpan.Zero)
                    : r.KeepAlive.Duration;
                remaining = left > TimeSpan.MaxValue - remaining ? TimeSpan.MaxValue : remaining + left;
            }
            return new(pinned, bytes, remaining);
        }

        public int CompareTo(Cost other)
        {
            var byPinned = Pinned.CompareTo(other.Pinned);
            if (byPinned != 0)
                return byPinned;
            var byBytes = Bytes.CompareTo(other.Bytes);
            return byBytes != 0 ? byBytes : RemainingKeepAlive.CompareTo(other.RemainingKeepAlive);
        }
    }
}
