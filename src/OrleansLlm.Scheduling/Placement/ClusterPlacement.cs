using OrleansLlm.Gguf;
using OrleansLlm.Scheduling.Eviction;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Scheduling.Placement;

/// <summary>
/// Which host of a cluster a model should go to, best first: where it fits fully on the fewest
/// GPUs (ties: the fewest requests in flight, then the most free VRAM — models on one GPU share
/// its compute, so busy hosts should not also take the next model); else where the cheapest set of idle runners
/// makes room; else a partial-offload or CPU placement; else where busy runners will free room
/// (the model then waits there). Hosts where it can never fit are left out.
/// </summary>
public static class ClusterPlacement
{
    /// <param name="hosts">Each host, its snapshot, and how many loads already wait there (ranks hosts where the model must wait).</param>
    /// <summary>Whether <paramref name="decision"/> still offers what a host was ranked for (a director's view may be stale).</summary>
    public static bool StillHolds(HostChoiceKind kind, PlacementDecision decision) => kind switch
    {
        HostChoiceKind.FitsNow => decision.Outcome == PlacementOutcome.Load && !decision.OnCpu && decision.Estimate!.FullyOffloaded,
        HostChoiceKind.FitsPartially => decision.Outcome == PlacementOutcome.Load,
        HostChoiceKind.AfterEviction => decision.Outcome is PlacementOutcome.Load or PlacementOutcome.NeedsEviction,
        HostChoiceKind.AfterWaiting => decision.Outcome != PlacementOutcome.TooLarge,
        _ => false,
    };

    public static IReadOnlyList<HostChoice> Rank(GgufFile model, RunnerOptions options, IReadOnlyList<(string Host, HostSnapshot Snapshot, int QueuedLoads)> hosts,
        SchedulerSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var choices = new List<HostChoice>();
        foreach (var (host, snapshot, queued) in hosts)
        {
            var decision = PlacementPlanner.Plan(model, options, snapshot, settings);
            switch (decision.Outcome)
            {
                case PlacementOutcome.Load when !decision.OnCpu && decision.Estimate!.FullyOffloaded:
                    choices.Add(new(host, HostChoiceKind.FitsNow, decision.Devices.Count, -FreeVram(snapshot), decision.Reason, InFlight(snapshot)));
                    break;
                case PlacementOutcome.Load:
                    choices.Add(new(host, HostChoiceKind.FitsPartially, decision.Devices.Count, -FreeVram(snapshot), decision.Reason, InFlight(snapshot)));
                    break;
                case PlacementOutcome.NeedsEviction:
                    var plan = CheapestIdleEviction.Choose(snapshot.Runners,
                        victims => PlacementPlanner.Plan(model, options, snapshot with { Runners = [.. snapshot.Runners.Except(victims)] }, settings).Outcome == PlacementOutcome.Load,
                        now);
                    choices.Add(plan.CanEvictNow
                        ? new(host, HostChoiceKind.AfterEviction, plan.Victims.Count, plan.Victims.Sum(v => v.TotalBytes), $"evict {string.Join(", ", plan.Victims.Select(v => v.ModelPath))}")
                        : new(host, HostChoiceKind.AfterWaiting, queued, plan.WaitFor?.RefCount ?? int.MaxValue, decision.Reason));
                    break;
                case PlacementOutcome.RetryAfterLoad:
                    choices.Add(new(host, HostChoiceKind.AfterWaiting, queued, 0, decision.Reason));
                    break;
                default:
                    choices.Add(new(host, HostChoiceKind.Never, 0, 0, decision.Reason));
                    break;
            }
        }
        return [.. choices.OrderBy(c => c.Kind).ThenBy(c => c.Primary).ThenBy(c => c.Load).ThenBy(c => c.Secondary).ThenBy(c => c.Host, StringComparer.Ordinal)];
    }

    private static long InFlight(HostSnapshot snapshot) => snapshot.Runners.Sum(r => (long)r.RefCount);

    private static long FreeVram(HostSnapshot snapshot) =>
        GpuSelection.AccountForLoaded(snapshot.Gpus, snapshot.Runners).Sum(g => g.FreeMemory);
}

/// <summary>How a host could take a model, best first.</summary>
public enum HostChoiceKind
{
    FitsNow,
    AfterEviction,
    FitsPartially,
    AfterWaiting,
    Never,
}

/// <summary>A host, how it could take the model, and the keys it is ranked by within its kind (Primary, then Load, then Secondary).</summary>
public sealed record HostChoice(string Host, HostChoiceKind Kind, long Primary, long Secondary, string Reason, long Load = 0);
