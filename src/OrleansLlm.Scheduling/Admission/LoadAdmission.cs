using OrleansLlm.Gguf;
using OrleansLlm.Scheduling.Eviction;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Admission;

/// <summary>
/// Whether a GPU silo gives a model room: the one place where the director's claims and the model
/// grains' loads are admitted, so the two can never disagree. Pure: the silo passes its bookkeeping
/// in and applies the answer in the same turn.
/// </summary>
/// <remarks>
/// Loads wait in a queue per silo, served in <see cref="WaitingLoadOrder"/>'s order; a later load
/// that fits without evicting anything may overtake the head, at most <see cref="MaxOvertakes"/>
/// times in a row, so the head is never starved. The head that has waited
/// <see cref="SchedulerSettings.DrainBusyAfter"/> for memory only busy runners hold asks them to
/// drain (<see cref="BusyDrain"/>). A
/// model is sent away to be placed again only on the request's first placement
/// (<see cref="LoadAsk.Relocations"/> is 0): once re-placed, it loads, evicts or waits where it
/// was put, so two silos whose views disagree cannot bounce it between them.
/// </remarks>
public static class LoadAdmission
{
    /// <summary>How many loads in a row may pass the head of the queue.</summary>
    public const int MaxOvertakes = 3;

    /// <summary>How long a model sent away to be placed again is refused without a new claim.</summary>
    public static readonly TimeSpan RelocationMemory = TimeSpan.FromSeconds(10);

    public static AdmissionDecision Decide(GgufFile model, LoadAsk ask, SiloLoads silo, SchedulerSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ask);
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(settings);
        return ask.ClaimFor is { } expected ? Claim(model, ask, expected, silo, settings) : Load(model, ask, silo, settings, now);
    }

    /// <summary>The director ranked this silo for <paramref name="expected"/>: hold the room if it is still there.</summary>
    private static AdmissionDecision Claim(GgufFile model, LoadAsk ask, HostChoiceKind expected, SiloLoads silo, SchedulerSettings settings)
    {
        // Directors are retried: a model already queued, loading or loaded here keeps what it has.
        if (silo.Existing is { } existing && existing != ReservationKind.Claim)
            return new(AdmissionVerdict.Held, "already placed here");
        if (silo.Draining)
            return new(AdmissionVerdict.Relocate, "the silo is shutting down");
        var plan = PlacementPlanner.Plan(model, ask.Options, silo.Host, settings);
        if (!ClusterPlacement.StillHolds(expected, plan))
            return new(AdmissionVerdict.Relocate, $"no longer {expected} here ({plan.Reason})");
        if (plan.Outcome == PlacementOutcome.Load && silo.RoomBeingMadeForAnother)
            return new(AdmissionVerdict.Wait, "the free room here is being made for a load ahead");
        return plan.Outcome == PlacementOutcome.Load
            ? new(AdmissionVerdict.Grant, plan.Reason) { Placement = plan }
            : new(AdmissionVerdict.Wait, plan.Reason);
    }

    private static AdmissionDecision Load(GgufFile model, LoadAsk ask, SiloLoads silo, SchedulerSettings settings, DateTimeOffset now)
    {
        if (silo.Existing is ReservationKind.Loading or ReservationKind.Loaded)
            return new(AdmissionVerdict.Held, "already reserved");
        if (silo.Draining)
        {
            // Whatever the budget: this silo is going away, so waiting or loading here helps no one.
            return new(AdmissionVerdict.Relocate, "the silo is shutting down") { SentAway = true };
        }

        var firstPlacement = ask.Relocations == 0;
        var plan = PlacementPlanner.Plan(model, ask.Options, silo.Host, settings);
        var position = PositionOf(silo.Queue, ask.ModelPath);
        var firstAsk = position < 0;
        var waitingSince = firstAsk ? now : silo.Queue[position].Since;
        var self = new QueuedLoad(ask.ModelPath, waitingSince, Math.Max(1, ask.WaitingRequests));
        IReadOnlyList<QueuedLoad> queue = firstAsk ? [.. silo.Queue, self] : [.. silo.Queue.Select((q, i) => i == position ? self : q)];
        var waitingAhead = WaitingLoadOrder.Ahead(queue, ask.ModelPath, settings, now);

        if (silo.Existing is null && silo.SentAwayAt is { } sentAway && now - sentAway < RelocationMemory)
        {
            // Sent away moments ago, and back without the director's claim (Orleans may re-create
            // a deactivating grain where its messages were queued): to the director again.
            return new(AdmissionVerdict.Relocate, "it was just re-placed away from this silo");
        }
        var onlyPartially = plan.Outcome == PlacementOutcome.Load && !ClusterPlacement.StillHolds(HostChoiceKind.FitsNow, plan);
        if (onlyPartially && firstPlacement && silo.ExistingClaimedAs != HostChoiceKind.FitsPartially)
        {
            // Partial offload or CPU here, and the director did not choose that knowingly (a
            // reload with a larger context, a restore): another silo may hold it whole.
            return new(AdmissionVerdict.Relocate, $"it fits only partially here ({plan.Reason})") { SentAway = true };
        }
        // Overtaking takes free room only: never the room a load ahead is evicting or draining for.
        if (plan.Outcome == PlacementOutcome.Load && (waitingAhead == 0 || silo.Overtakes < MaxOvertakes && !silo.RoomBeingMadeForAnother))
            return new(AdmissionVerdict.Grant, plan.Reason) { Placement = plan, Overtook = waitingAhead > 0 };
        if (plan.Outcome == PlacementOutcome.TooLarge)
        {
            // Another silo may hold it (a reload with a larger context, say): the director decides.
            return firstPlacement
                ? new(AdmissionVerdict.Relocate, plan.Reason) { SentAway = true }
                : new(AdmissionVerdict.TooLarge, plan.Reason);
        }
        if (silo is { Existing: ReservationKind.Claim, ExistingHoldsRoom: true } && firstPlacement && plan.Outcome != PlacementOutcome.Load)
        {
            // The director saw room here that is gone: placing again with a fresh view beats waiting.
            // (Room that is still here but must let the queue's head go first is worth waiting for.)
            return new(AdmissionVerdict.Relocate, $"the room seen at placement is gone ({plan.Reason})");
        }
        if (silo.Existing is null && firstAsk && firstPlacement && plan.Outcome == PlacementOutcome.NeedsEviction)
        {
            // A model loading again where it last ran (its activation still here after an eviction
            // or expiry) was never placed for this load: before it evicts or waits here, the
            // director looks at the whole cluster — another silo may have room now.
            return new(AdmissionVerdict.Relocate, $"no room here without evicting ({plan.Reason}): placing it again") { SentAway = true };
        }
        if (waitingAhead > 0)
            return new(AdmissionVerdict.Wait, $"{waitingAhead} load(s) ahead on this silo");
        if (plan.Outcome == PlacementOutcome.NeedsEviction)
        {
            bool FitsWithout(IReadOnlyList<LoadedRunner> victims) =>
                PlacementPlanner.Plan(model, ask.Options, silo.Host with { Runners = [.. silo.Host.Runners.Except(victims)] }, settings).Outcome == PlacementOutcome.Load;
            var eviction = CheapestIdleEviction.Choose(silo.Host.Runners, FitsWithout, now);
            if (eviction.CanEvictNow)
                return new(AdmissionVerdict.Evict, "idle models must unload first") { Victims = eviction.Victims, MakingRoom = true };
            if (settings.DrainBusyAfter is { } bound && now - waitingSince >= bound)
            {
                var drain = BusyDrain.Choose(silo.Host.Runners, FitsWithout, now, settings.MinResidency);
                if (drain.Victims.Count > 0)
                {
                    return new(AdmissionVerdict.DrainBusy, $"waited {Seconds(now - waitingSince)} for busy models: draining {string.Join(", ", drain.Victims.Select(v => $"'{v.ModelPath}'"))}")
                    {
                        Victims = drain.Victims,
                        MakingRoom = true,
                    };
                }
                if (drain.MakesRoom)
                    return new(AdmissionVerdict.Wait, "waiting for draining models to finish their requests") { MakingRoom = true };
            }
            return new(AdmissionVerdict.Wait, eviction.WaitFor is { } busy ? $"waiting for busy model '{busy.ModelPath}' to go idle" : plan.Reason);
        }
        return new(AdmissionVerdict.Wait, plan.Reason);
    }

    private static string Seconds(TimeSpan span) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{span.TotalSeconds:0} s");

    private static int PositionOf(IReadOnlyList<QueuedLoad> queue, string modelPath)
    {
        for (var i = 0; i < queue.Count; i++)
        {
            if (string.Equals(queue[i].ModelPath, modelPath, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }
}
