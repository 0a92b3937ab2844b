using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansLlm.Server.Hosting;

/// <summary>
/// The probes Container Apps calls, through ASP.NET Core Health Checks: <c>/healthz</c> runs the
/// checks tagged <c>live</c> (the process answers), <c>/readyz</c> those tagged <c>ready</c>.
/// Both answer a status and a short reason; the detail goes to the log.
/// </summary>
internal static class HealthEndpoints
{
    public const string Live = "live";
    public const string Ready = "ready";

    public static IServiceCollection AddOrleansLlmHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy(), tags: [Live])
            .AddCheck<ReadinessCheck>("cluster", tags: [Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Live), ResponseWriter = (http, report) => Write(http, report, "ok") });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = (http, report) => Write(http, report, "ready") });
        return app;
    }

    private static Task Write(HttpContext http, HealthReport report, string healthy)
    {
        var body = new Dictionary<string, object?> { ["status"] = report.Status == HealthStatus.Healthy ? healthy : "not ready" };
        foreach (var entry in report.Entries.Values)
        {
            if (entry.Status != HealthStatus.Healthy && entry.Description is { } reason)
                body["reason"] = reason;
            foreach (var (key, value) in entry.Data)
                body[key] = value;
        }
        http.Response.ContentType = "application/json; charset=utf-8";
        return http.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
