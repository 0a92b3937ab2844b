using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Inference.Llama;

namespace OrleansLlm.Server.Hosting;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: the cluster is joined and the backend loaded.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app, OllmOptions options, bool hostsRunners)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.MapGet("/readyz", async (IGrainFactory grains, CancellationToken cancellationToken) =>
        {
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
                return Results.Json(new { status = "not ready", error = e.Message }, statusCode: 503);
            }
        });
        return app;
    }
}
