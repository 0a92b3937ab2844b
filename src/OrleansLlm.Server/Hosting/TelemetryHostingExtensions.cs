using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansLlm.Grains.Telemetry;

namespace OrleansLlm.Server.Hosting;

/// <summary>
/// Metrics and traces (README "Metrics and traces"), wired in one place for every role: our meters
/// (<c>OrleansLlm.*</c>) beside the ones ASP.NET Core and Orleans already publish, exported at
/// <c>GET /metrics</c> (Prometheus text, behind <c>OLLM_API_KEY</c> like the API) and, only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, over OTLP with the traces; log lines carry the trace
/// and span ids. <c>OTEL_SDK_DISABLED=true</c> (OpenTelemetry's own switch) leaves all of it out.
/// </summary>
internal static class TelemetryHostingExtensions
{
    /// <summary>Meters exported besides ours: ASP.NET Core's HTTP server figures and Orleans' runtime ones (rather than counting them again).</summary>
    private static readonly string[] FrameworkMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.Orleans"];

    public static WebApplicationBuilder AddOrleansLlmTelemetry(this WebApplicationBuilder builder, string role)
    {
        // The simple console shows each line's scopes, where the trace and span ids are (the
        // banner is written apart and stays as it is).
        builder.Logging.AddSimpleConsole(console => console.IncludeScopes = true);
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (Disabled(builder.Configuration))
            return builder;

        var configuration = builder.Configuration;
        var exportOtlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var serviceName = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "ollm-" + role;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                // Each histogram's bucket boundaries are its instrument's advice (SchedulerMetrics, ApiMetrics).
                metrics.AddMeter("OrleansLlm.*").AddMeter(FrameworkMeters).AddPrometheusExporter();
                if (exportOtlp)
                    metrics.AddOtlpExporter();
            })
            .WithTracing(tracing =>
            {
                // Without an exporter the spans still exist: the log lines carry their ids.
                tracing.AddSource(OrleansLlmTracing.SourceName, "Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime")
                    .SetSampler(new ParentBasedSampler(new TraceRootSampler()))
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsScrapeOrProbe(http.Request.Path));
                if (exportOtlp)
                    tracing.AddOtlpExporter();
            });
        return builder;
    }

    /// <summary><c>GET /metrics</c>, unless OpenTelemetry is off.</summary>
    public static WebApplication MapOrleansLlmMetrics(this WebApplication app)
    {
        if (!Disabled(app.Configuration))
            app.MapPrometheusScrapingEndpoint();
        return app;
    }

    /// <summary>OpenTelemetry's standard switch, as the SDK reads it.</summary>
    public static bool Disabled(IConfiguration configuration) =>
        bool.TryParse(configuration["OTEL_SDK_DISABLED"], out var disabled) && disabled;

    private static bool IsScrapeOrProbe(PathString path) =>
        path.Equals("/metrics", StringComparison.OrdinalIgnoreCase) || path.Equals("/healthz", StringComparison.OrdinalIgnoreCase) || path.Equals("/readyz", StringComparison.OrdinalIgnoreCase);
}
