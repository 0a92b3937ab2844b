using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Admission;

/// <summary>The admission rules' answer, and what the silo must change to carry it out.</summary>
public sealed record AdmissionDecision(AdmissionVerdict Verdict, string Reason)
{
    /// <summary>For <see cref="AdmissionVerdict.Grant"/>: the devices and the estimate to reserve.</summary>
    public PlacementDecision? Placement { get; init; }

    /// <summary>For <see cref="AdmissionVerdict.Evict"/>: the idle runners to unload first; for <see cref="AdmissionVerdict.DrainBusy"/>, the runners to drain.</summary>
    public IReadOnlyList<LoadedRunner> Victims { get; init; } = [];

    /// <summary>The model keeps (or takes) its place in the silo's queue.</summary>
    public bool Queued => Verdict is AdmissionVerdict.Wait or AdmissionVerdict.Evict or AdmissionVerdict.DrainBusy;

    /// <summary>The silo remembers that it sent the model away, and refuses it a while without a new claim.</summary>
    public bool SentAway { get; init; }

    /// <summary>
    /// Idle runners are evicted, or busy ones drain, for this load: the room they free is its own,
    /// and no later load may overtake it until it asks again.
    /// </summary>
    public bool MakingRoom { get; init; }

    /// <summary>A grant that passed loads waiting ahead of it (counted against <see cref="LoadAdmission.MaxOvertakes"/>).</summary>
    public bool Overtook { get; init; }
}
