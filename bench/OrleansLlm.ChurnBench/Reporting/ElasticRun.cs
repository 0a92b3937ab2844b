using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.Scheduling.Autoscaling;

namespace OrleansLlm.ChurnBench.Reporting;

/// <summary>What the elastic system's pool and autoscaler did in a run, in simulated seconds; model paths in reasons are model names.</summary>
/// <param name="Lives">Each run of each host, from the provider.</param>
/// <param name="Decisions">The autoscaler's decisions: time, action (start, stop, give up), host, reason, carried out or not.</param>
/// <param name="Reports">Requests that found no running host for a model and told the autoscaler.</param>
/// <param name="Unmet">Demand the autoscaler saw and could not start a host for (a cap, the pool), as its status said at each read.</param>
/// <param name="Settings">The autoscaler's settings in simulated time.</param>
internal sealed record ElasticRun(
    IReadOnlyList<HostLife> Lives,
    IReadOnlyList<(double Time, string Action, string Host, string Reason, bool Carried)> Decisions,
    IReadOnlyList<(double Time, string Model)> Reports,
    IReadOnlyList<(double Time, string Unmet)> Unmet,
    AutoscalerSettings Settings);
