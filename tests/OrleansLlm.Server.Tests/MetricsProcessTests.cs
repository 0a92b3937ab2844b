using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// <c>GET /metrics</c> of the real <c>ollm-server</c> process (embedded role, simulated runner, one
/// 16 GiB GPU that holds one of the two 14 GiB models), read as Prometheus reads it, after a scripted
/// sequence: a load, a second request, an eviction, and the evicted model asked for again.
/// </summary>
public sealed class MetricsProcessTests : IAsyncLifetime
{
    private const string Key = "metrics-test-key";
    private static readonly long Gpu = 16L << 30;

    private readonly RoleProcesses _roles = new();
    private readonly OtlpReceiver _collector = new();
    private ServerProcess _server = null!;
    // The scheduler's metrics name models as the API does, never by their files.
    private const string A = "a:latest";
    private const string B = "b:latest";
    private string _a = null!;
    private string _b = null!;

    public async Task InitializeAsync()
    {
        var spec = ShapedModelSpec.Llama3_8B_F16 with { VocabSize = 2000, MergeCount = 0 };   // about 14 GiB
        _a = Path.Combine(_roles.Models, "a.gguf");
        _b = Path.Combine(_roles.Models, "b.gguf");
        ShapedModel.Write(_a, spec with { Name = "a" });
        ShapedModel.Write(_b, spec with { Name = "b" });
        _server = _roles.Start("all", new() { ["OLLM_GPUS"] = "cuda:16GiB", ["OLLM_API_KEY"] = Key, ["Logging__LogLevel__OrleansLlm"] = "Information",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collector.Endpoint, ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf", ["OTEL_BSP_SCHEDULE_DELAY"] = "200" });
        _server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        await _server.Ready();
    }

    public async Task DisposeAsync()
    {
        await _roles.DisposeAsync();
        await _collector.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_count_loads_hits_misses_and_the_eviction_and_show_the_gpu_holding_what_is_loaded()
    {
        await Generate("a");   // miss: loads a
        await Generate("a");   // hit
        var evicting = System.Diagnostics.ActivityTraceId.CreateRandom();
        await Generate("b", evicting);   // miss: evicts a, loads b

        // Its trace shows the load waiting for room while a is evicted, with the silo's reason.
        Assert.True(await _collector.Got("/v1/traces", TimeSpan.FromSeconds(60), Convert.FromHexString(evicting.ToHexString()),
            "ollm.model.wait_for_room"u8.ToArray(), "ollm.wait.reason"u8.ToArray(), "evict"u8.ToArray(), Encoding.UTF8.GetBytes(_a)), _roles.Logs);

        var metrics = await MetricsWhen(m => m.Value("ollm_model_loads_total", ("model", B)) == 1);
        var silo = Assert.Single(metrics.Find("ollm_models_loaded")).Labels["silo"];
        Assert.Equal(1, metrics.Value("ollm_model_loads_total", ("model", A), ("silo", silo)));
        Assert.Equal(1, metrics.Value("ollm_model_requests_total", ("model", A), ("cache", "hit")));
        Assert.Equal(1, metrics.Value("ollm_model_requests_total", ("model", A), ("cache", "miss")));
        Assert.Equal(1, metrics.Value("ollm_model_requests_total", ("model", B), ("cache", "miss")));
        Assert.Null(metrics.Value("ollm_model_requests_total", ("model", B), ("cache", "hit")));
        Assert.Equal(1, metrics.Value("ollm_model_unloads_total", ("model", A), ("reason", "evicted")));
        Assert.Empty(metrics.Find("ollm_model_unloads_total", ("model", B)));
        // Age at eviction: one observation, a's time loaded (more than nothing, less than this test).
        Assert.Equal(1, metrics.Value("ollm_model_unload_age_seconds_count", ("model", A), ("reason", "evicted")));
        Assert.InRange(metrics.Value("ollm_model_unload_age_seconds_sum", ("model", A), ("reason", "evicted"))!.Value, 1e-6, 300);
        Assert.Equal(2, metrics.Find("ollm_model_wait_duration_seconds_count").Sum(s => s.Value));
        // Buckets in seconds, from 10 ms to a day (the instruments' advice), not milliseconds' defaults.
        Assert.Equal(1, metrics.Value("ollm_model_load_duration_seconds_bucket", ("model", A), ("le", "+Inf")));
        Assert.Single(metrics.Find("ollm_model_load_duration_seconds_bucket", ("model", A), ("le", "0.01")));
        Assert.Single(metrics.Find("ollm_model_unload_age_seconds_bucket", ("model", A), ("le", "86400")));
        await AssertGpuHolds(metrics, silo, _b);

        // Aftermath: the evicted model is asked for again, is served, and the figures follow.
        var answer = await Generate("a");
        Assert.True(answer.GetProperty("done").GetBoolean());
        Assert.NotEmpty(answer.GetProperty("response").GetString()!);
        metrics = await MetricsWhen(m => m.Value("ollm_model_loads_total", ("model", A)) == 2);
        Assert.Equal(2, metrics.Value("ollm_model_requests_total", ("model", A), ("cache", "miss")));
        Assert.Equal(1, metrics.Value("ollm_model_unloads_total", ("model", B), ("reason", "evicted")));
        Assert.Equal(1, metrics.Value("ollm_model_unloads_total", ("model", A), ("reason", "evicted")));
        await AssertGpuHolds(metrics, silo, _a);
    }

    [Fact]
    public async Task Metrics_need_the_api_key_like_the_api()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.Http.BaseAddress };
        using var refused = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var health = await anonymous.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        var metrics = PrometheusText.Parse(await _server.Http.GetStringAsync("/metrics"));
        // ASP.NET Core's own figures are exported beside ours (the refused scrape above among them).
        Assert.Contains(metrics.Samples, s => s.Name == "http_server_request_duration_seconds_count" && s.Labels.GetValueOrDefault("http_response_status_code") == "401");
        Assert.Equal(Gpu, metrics.Value("ollm_gpu_memory_total_bytes"));
        Assert.Equal(0, metrics.Value("ollm_gpu_memory_reserved_bytes"));
        Assert.Equal(0, metrics.Value("ollm_models_loaded"));
        Assert.Equal("ollm-all", Assert.Single(metrics.Find("target_info")).Labels["service_name"]);
    }

    [Fact]
    public async Task The_log_lines_of_a_request_carry_its_trace_id()
    {
        var trace = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate")
        {
            Content = new StringContent("""{"model":"a","prompt":"hi","stream":false,"options":{"num_predict":2}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{trace}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The simple console: the category line, the scopes line (trace and span ids), the message.
        string[] Entry(string message)
        {
            var lines = _server.Output.Split('\n');
            var at = Array.FindIndex(lines, l => l.Contains(message, StringComparison.Ordinal));
            return at < 1 ? [] : lines[(at - 1)..(at + 1)];
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Entry($"Loaded {_a}").Length == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        var loaded = Entry($"Loaded {_a}");
        Assert.True(loaded.Length == 2, _server.Output);
        Assert.Contains($"TraceId:{trace}", loaded[0], StringComparison.Ordinal);
        Assert.Contains($"TraceId:{trace}", Entry($"Placing {_a}").FirstOrDefault() ?? "", StringComparison.Ordinal);
        // The start-up banner is written apart from the log and keeps its shape.
        Assert.Contains(_server.Output.Split('\n'), l => l.StartsWith("ollm-server ", StringComparison.Ordinal) && l.EndsWith(": role all", StringComparison.Ordinal));
    }

    /// <summary>The GPU reserves exactly what the one loaded model holds, by its runner and by <c>/api/ps</c>.</summary>
    private async Task AssertGpuHolds(PrometheusText metrics, string silo, string model)
    {
        var ps = JsonDocument.Parse(await _server.Http.GetStringAsync("/api/ps")).RootElement.GetProperty("models").EnumerateArray().ToArray();
        var loaded = Assert.Single(ps);
        var name = Path.GetFileNameWithoutExtension(model) + ":latest";
        Assert.Equal(name, loaded.GetProperty("name").GetString());
        var vram = loaded.GetProperty("size_vram").GetInt64();
        Assert.True(vram > 10L << 30, $"size_vram {vram}");
        Assert.Equal(1, metrics.Value("ollm_models_loaded", ("silo", silo)));
        Assert.Equal(vram, metrics.Value("ollm_gpu_memory_reserved_bytes", ("silo", silo)));
        Assert.Equal(Gpu, metrics.Value("ollm_gpu_memory_total_bytes", ("silo", silo)));
        Assert.Equal(Gpu - vram, metrics.Value("ollm_gpu_memory_free_bytes", ("silo", silo)));
        Assert.Equal(loaded.GetProperty("size").GetInt64(), metrics.Value("ollm_model_memory_measured_bytes", ("model", name)));
        // The simulated runner holds what the estimate says, so here the two gauges agree; on a GPU they are the estimate's error.
        Assert.Equal(metrics.Value("ollm_model_memory_predicted_bytes", ("model", name)), metrics.Value("ollm_model_memory_measured_bytes", ("model", name)));
        Assert.Single(metrics.Find("ollm_model_memory_measured_bytes"));
    }

    /// <summary>Scrapes until <paramref name="ready"/> holds (the exporter caches a scrape for a moment), for at most a minute.</summary>
    private async Task<PrometheusText> MetricsWhen(Func<PrometheusText, bool> ready)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var metrics = PrometheusText.Parse(await _server.Http.GetStringAsync("/metrics"));
            if (ready(metrics))
                return metrics;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the metrics never showed what was expected:\n{metrics.Text}\n{_roles.Logs}");
            await Task.Delay(100);
        }
    }

    private async Task<JsonElement> Generate(string model, System.Diagnostics.ActivityTraceId? trace = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { model, prompt = "hi", stream = false, options = new { num_predict = 2 } }), Encoding.UTF8, "application/json"),
        };
        if (trace is { } id)
            request.Headers.Add("traceparent", $"00-{id.ToHexString()}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await _server.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{model}: {body}\n{_roles.Logs}");
        return JsonDocument.Parse(body).RootElement;
    }
}
