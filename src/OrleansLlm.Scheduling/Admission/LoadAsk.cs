using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Admission;

/// <summary>
/// A model asking a GPU silo for room: the director's claim while it places the model
/// (<see cref="ClaimFor"/> set to the kind of room it ranked the silo for), or the model grain's
/// ask to load.
/// </summary>
public sealed record LoadAsk
{
    public required string ModelPath { get; init; }

    /// <summary>The runner options the model loads with, already admitted (<c>num_ctx</c> × <c>num_parallel</c>).</summary>
    public required RunnerOptions Options { get; init; }

    /// <summary>Set for the director's claim: what it ranked this silo for. Null: the model grain asks to load.</summary>
    public HostChoiceKind? ClaimFor { get; init; }

    /// <summary>How many times the request behind this load has already been re-placed (see <see cref="LoadAdmission"/>).</summary>
    public int Relocations { get; init; }

    /// <summary>The requests waiting for this load (the order of waiting loads puts the most wanted first).</summary>
    public int WaitingRequests { get; init; } = 1;

    public bool IsClaim => ClaimFor is not null;
}
