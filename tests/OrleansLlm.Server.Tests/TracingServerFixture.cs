using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace OrleansLlm.Server.Tests;

/// <summary>The embedded server (front-end and silo in one process) with a collector on its own tracing pipeline.</summary>
public sealed class TracingServerFixture : ServerFixture
{
    internal SpanCollector Spans { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(Spans));
}
