using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Eviction;

/// <summary>Ollama's <c>findRunnerToUnload</c>, the single-host rule the baselines keep.</summary>
public static class SeedEviction
{
    /// <summary>
    /// Ollama: shortest keep-alive first (forever last), ties by model path (v0.6.6's fix of
    /// map-order ties); the first idle runner, or — when all are busy — the first in that order,
    /// to be unloaded once its requests finish. Null when nothing is loaded. Size is ignored.
    /// </summary>
    public static LoadedRunner? FindRunnerToUnload(IReadOnlyList<LoadedRunner> runners)
    {
        ArgumentNullException.ThrowIfNull(runners);
        var ordered = runners
            .OrderBy(r => r.KeepAlive)
            .ThenBy(r => r.ModelPath, StringComparer.Ordinal)
            .ToArray();
        return ordered.FirstOrDefault(r => r.IsIdle) ?? ordered.FirstOrDefault();
    }
}
