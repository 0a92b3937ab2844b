using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Grains.Hosting;
using OrleansLlm.Inference.Llama;

namespace OrleansLlm.Server.Hosting;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: the cluster is joined and the backend loaded.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app, OllmOptions options, bool hostsRunners)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.MapGet("/readyz", async (IGrainFactory grains, ILoggerFactory loggers, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            // A silo told to stop fails readiness first, so nothing new is routed to it while it drains.
            if (services.GetService<SiloDrainState>() is { Draining: true })
                return Results.Json(new { status = "not ready", reason = "shutting down" }, statusCode: 503);
            try
            {
                var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                var backend = !hostsRunners ? "front-end" : options.Runner == "llama" ? LlamaNative.Backend : options.Runner;
                return hosts.Count > 0 && backend != "not loaded"
                    ? Results.Json(new { status = "ready", silos = hosts.Count, runner = options.Runner, backend })
                    : Results.Json(new { status = "not ready", silos = hosts.Count, runner = options.Runner, backend }, statusCode: 503);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                // The probe is unauthenticated: a short reason for it, the detail for the log.
                loggers.CreateLogger(typeof(HealthEndpoints)).LogWarning(e, "/readyz: the cluster did not answer");
                return Results.Json(new { status = "not ready", reason = "the cluster did not answer" }, statusCode: 503);
            }
        });
        return app;
    }
}
