using System.Diagnostics;
using System.Net;
using System.Text;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Server.Tests;

/// <summary>OpenTelemetry's standard variables, set as users set them, on the real process.</summary>
public sealed class TelemetrySettingsTests : IAsyncLifetime
{
    private readonly RoleProcesses _roles = new();

    public Task InitializeAsync()
    {
        ShapedModel.Write(Path.Combine(_roles.Models, "small.gguf"), ShapedModelSpec.Llama3_2_1B_Q8_0 with { VocabSize = 2000, MergeCount = 0 });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _roles.DisposeAsync();

    [Fact]
    public async Task With_OTEL_EXPORTER_OTLP_ENDPOINT_traces_and_metrics_reach_the_collector_under_OTEL_SERVICE_NAME()
    {
        await using var collector = new OtlpReceiver();
        var server = await _roles.Start("all", new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "ollm-test-service",
            ["OLLM_GPUS"] = "cuda:8GiB",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        }).Ready();
        var trace = ActivityTraceId.CreateRandom();
        await Generate(server, trace);

        var traceBytes = Convert.FromHexString(trace.ToHexString());
        Assert.True(await collector.Got("/v1/traces", TimeSpan.FromSeconds(60), traceBytes, "ollm.model.load"u8.ToArray(), "ollm-test-service"u8.ToArray()),
            $"no span of trace {trace} reached the collector: {string.Join(", ", collector.Received.Select(r => r.Path))}\n{_roles.Logs}");
        Assert.True(await collector.Got("/v1/metrics", TimeSpan.FromSeconds(60), "ollm.model.loads"u8.ToArray(), "ollm.gpu.memory.reserved"u8.ToArray()),
            $"no metrics reached the collector\n{_roles.Logs}");
        // Prometheus goes on beside OTLP, under the same service name.
        Assert.Contains("service_name=\"ollm-test-service\"", await server.Http.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_collector_the_server_starts_and_serves_as_usual()
    {
        // An endpoint where nothing listens: export fails in the background, nothing waits for it.
        var server = await _roles.Start("all", new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{TestPorts.Free()}", ["OTEL_METRIC_EXPORT_INTERVAL"] = "500" }).Ready();
        await Generate(server, ActivityTraceId.CreateRandom());
        await Generate(server, ActivityTraceId.CreateRandom());
        using var metrics = await server.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Fact]
    public async Task OTEL_SDK_DISABLED_turns_metrics_off_and_requests_are_still_served()
    {
        var server = await _roles.Start("all", new() { ["OTEL_SDK_DISABLED"] = "true" }).Ready();
        await Generate(server, ActivityTraceId.CreateRandom());
        using var metrics = await server.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
    }

    private async Task Generate(ServerProcess server, ActivityTraceId trace)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate")
        {
            Content = new StringContent("""{"model":"small","prompt":"hi","stream":false,"options":{"num_predict":2}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await server.Http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{await response.Content.ReadAsStringAsync()}\n{_roles.Logs}");
    }
}
