using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Replicas;

/// <summary>Where the runners of one model may go: never two on one silo, and a replica only where it loads at once.</summary>
public static class ReplicaPlacement
{
    /// <summary>
    /// The director's ranked choices for <paramref name="key"/>, given the hosts that already hold
    /// (or wait to load) another runner of the same model. A replica leaves those hosts out, and
    /// takes only a host where it fits now or after evicting idle models: it is there for load the
    /// model's runners cannot take now, so waiting for room (or draining busy models for it) would
    /// come too late and cost others. A primary goes anywhere, those hosts last within each kind
    /// (after a host loss it may find its replicas still running; a second copy on their silo
    /// helps no one while another silo has room).
    /// </summary>
    public static IReadOnlyList<HostChoice> Filter(ModelKey key, IReadOnlyList<HostChoice> ranked, IReadOnlySet<string> siblingHosts)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(siblingHosts);
        if (key.IsPrimary)
            return [.. ranked.OrderBy(c => c.Kind).ThenBy(c => siblingHosts.Contains(c.Host) ? 1 : 0)];
        return [.. ranked.Where(c => !siblingHosts.Contains(c.Host) && c.Kind is HostChoiceKind.FitsNow or HostChoiceKind.AfterEviction)];
    }
}
