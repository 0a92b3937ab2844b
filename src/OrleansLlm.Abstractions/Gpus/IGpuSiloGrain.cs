using Orleans.Concurrency;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Abstractions.Gpus;

/// <summary>
/// The GPUs of one silo, keyed by the silo's address and always active on that silo: total, free
/// and reserved memory per GPU, loads in progress, the max-loaded cap, and the queue of loads
/// waiting for room. Every reservation is decided in one turn of this grain, so two models racing
/// for the same free memory cannot both win.
/// </summary>
[Alias("ollm.IGpuSiloGrain")]
public interface IGpuSiloGrain : IGrainWithStringKey
{
    [AlwaysInterleave, Alias("GetSnapshot")]
    Task<SiloSnapshot> GetSnapshot();

    /// <summary>
    /// The placement director's provisional hold on room for a model it is placing here; it
    /// expires unless the model asks to load. False when this silo no longer offers what the
    /// director ranked it for (its view was stale). Idempotent per model (directors are retried).
    /// </summary>
    [Alias("Claim")]
    Task<bool> Claim(string modelPath, RunnerOptions admittedOptions, HostChoiceKind expected);

    /// <summary>
    /// Reserves room for a model about to load, or says what must happen first.
    /// <paramref name="waitingRequests"/>: the requests waiting for this load (the most wanted load goes first).
    /// </summary>
    [Alias("AcquireLoad")]
    Task<LoadTicket> AcquireLoad(string modelPath, RunnerOptions admittedOptions, int relocations, int waitingRequests);

    /// <summary>The load finished: record what it really uses.</summary>
    [Alias("LoadCompleted")]
    Task LoadCompleted(string modelPath, RunnerMemory memory);

    /// <summary>The runner is closed (or its load failed): its room is free. <paramref name="reason"/> is for the silo's recent events.</summary>
    [Alias("Release")]
    Task Release(string modelPath, string reason);

    /// <summary>Loads waiting for room here and why, and this silo's recent events (the dashboard's).</summary>
    [AlwaysInterleave, Alias("GetActivity")]
    Task<SiloActivity> GetActivity();

    [Alias("ReportUsage")]
    Task ReportUsage(string modelPath, RunnerUsage usage);

    /// <summary>Returns when the silo's state changes from <paramref name="version"/>, or after <paramref name="maxWait"/>.</summary>
    [AlwaysInterleave, Alias("WaitForChange")]
    Task<long> WaitForChange(long version, TimeSpan maxWait);
}
