using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Eviction;

/// <summary>The greedy search both eviction rules share when trying every subset costs too much or is not wanted.</summary>
internal static class GreedyFit
{
    /// <summary>
    /// Takes runners in <paramref name="ordered"/>'s order until the model fits without them, then
    /// drops any the fit does not need, the last taken (the most expensive) first. Runners
    /// <paramref name="keep"/> names are never dropped.
    /// </summary>
    public static LoadedRunner[] Choose(IEnumerable<LoadedRunner> ordered, Func<IReadOnlyList<LoadedRunner>, bool> fitsWithout, Func<LoadedRunner, bool>? keep = null)
    {
        var chosen = new List<LoadedRunner>();
        foreach (var runner in ordered)
        {
            chosen.Add(runner);
            if (fitsWithout(chosen))
                break;
        }
        for (var i = chosen.Count - 1; i >= 0; i--)
        {
            if (keep?.Invoke(chosen[i]) == true)
                continue;
            var without = chosen.Where((_, k) => k != i).ToArray();
            if (without.Length > 0 && fitsWithout(without))
                chosen.RemoveAt(i);
        }
        return [.. chosen];
    }
}
