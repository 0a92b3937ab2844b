using System.Collections.Concurrent;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>
/// Grain state and reminders kept outside the silos, as Azure Storage keeps them for a deployment:
/// Orleans' in-memory providers keep them in grains, which go with the silo that holds them, and
/// the elastic system stops GPU silos all the time. One per system, shared by its silos.
/// </summary>
internal sealed class OutsideStore
{
    public ConcurrentDictionary<string, (object State, string ETag)> States { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<(GrainId Grain, string Name), ReminderEntry> Reminders { get; } = new();
}
