using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OrleansLlm.Grains.Hosting;
using OrleansLlm.Inference.Llama;
using OrleansLlm.Server.Api;

namespace OrleansLlm.Server.Hosting;

/// <summary>
/// Readiness (tag <c>ready</c>, <c>/readyz</c>): the cluster answers with at least one active silo,
/// a silo's inference backend is loaded, and this silo is not draining. Liveness never depends on
/// the cluster or storage (a probe that restarts a healthy process for a storage hiccup helps no one).
/// </summary>
internal sealed partial class ReadinessCheck(IGrainFactory grains, ServerRole role, IServiceProvider services, ILogger<ReadinessCheck> logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // A silo told to stop fails readiness first, so nothing new is routed to it while it drains.
        if (services.GetService(typeof(SiloDrainState)) is SiloDrainState { Draining: true })
            return HealthCheckResult.Unhealthy("shutting down");
        try
        {
            var hosts = await ClusterReader.ActiveSilos(grains, cancellationToken);
            var backend = !role.HostsRunners ? "front-end" : role.Options.Runner == "llama" ? LlamaNative.Backend : role.Options.Runner;
            var data = new Dictionary<string, object> { ["silos"] = hosts.Length, ["runner"] = role.Options.Runner, ["backend"] = backend };
            if (hosts.Length == 0)
                return HealthCheckResult.Unhealthy("no active silo", data: data);
            return backend == "not loaded"
                ? HealthCheckResult.Unhealthy("the inference backend is not loaded", data: data)
                : HealthCheckResult.Healthy(data: data);
        }
        catch (Exception e) when (ClusterReader.DidNotAnswer(e, cancellationToken))
        {
            // The probe is unauthenticated: a short reason for it, the detail for the log.
            LogClusterSilent(logger, e);
            return HealthCheckResult.Unhealthy("the cluster did not answer");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "/readyz: the cluster did not answer")]
    private static partial void LogClusterSilent(ILogger logger, Exception exception);
}
