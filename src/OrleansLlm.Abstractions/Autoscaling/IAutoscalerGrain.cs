using Orleans.Concurrency;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Abstractions.Autoscaling;

/// <summary>
/// The cluster's one autoscaler (key 0), on a control silo (<c>OLLM_ROLE=control</c>): starts GPU
/// hosts when models fit on no running host, drains and stops idle ones (README "Autoscaling").
/// </summary>
[Alias("ollm.IAutoscalerGrain")]
public interface IAutoscalerGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// A request found no running host with room for its model: the autoscaler records the demand,
    /// decides at once (not at its next tick), and says whether a host that holds the model can come.
    /// </summary>
    [Alias("ReportUnplaceable")]
    Task<HostWaitAnswer> ReportUnplaceable(string modelPath, RunnerOptions options);

    [AlwaysInterleave, Alias("GetStatus")]
    Task<AutoscalerStatus> GetStatus();
}

/// <summary>The autoscaler's answer to a request that found no host: what to do, and how many hosts are ready now (try again when that changes).</summary>
[GenerateSerializer, Immutable, Alias("ollm.HostWaitAnswer")]
public sealed record HostWaitAnswer([property: Id(0)] HostWaitVerdict Verdict, [property: Id(1)] int ReadyHosts);

/// <summary>What a request for a model no running host can take should do.</summary>
public enum HostWaitVerdict
{
    /// <summary>A host that holds it is starting or will be: wait for it.</summary>
    Wait,

    /// <summary>No host type of the pool holds it: fail now.</summary>
    NoHostHoldsIt,

    /// <summary>The autoscaler only advises (or is off): no host will start for it.</summary>
    NotScaling,
}
