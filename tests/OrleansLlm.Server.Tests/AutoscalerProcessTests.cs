using System.Net;
using System.Text;
using System.Text.Json;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// Autoscaling end to end with the local-process provider, as README's "Try it locally" runs it:
/// one control process (HTTP API + a silo that holds no model + the autoscaler) and no GPU host;
/// GPU silos are processes of the same server that the autoscaler starts and stops.
/// </summary>
public sealed class AutoscalerProcessTests : IAsyncLifetime
{
    private readonly RoleProcesses _roles = new();
    private readonly string _hostLogs = Path.Combine(Path.GetTempPath(), "ollm-host-logs-" + Guid.NewGuid().ToString("N"));
    private ServerProcess _control = null!;

    public async Task InitializeAsync()
    {
        ShapedModel.Write(Path.Combine(_roles.Models, "medium.gguf"), ShapedModelSpec.Llama3_8B_Q4_K_M with { VocabSize = 2000, MergeCount = 0 }); // about 5 GiB
        var pool = string.Join(',', Enumerable.Range(1, 2).Select(i => $"gpu-{i}=t4@{TestPorts.Free()}/{TestPorts.Free()}/{TestPorts.Free()}"));
        _control = _roles.Start("control", new()
        {
            ["OLLM_ROLE"] = "control",
            ["OLLM_AUTOSCALER"] = "on",
            ["OLLM_HOST_TYPES"] = "t4=cuda:15GiB@0.53",
            ["OLLM_HOST_POOL"] = pool,
            ["OLLM_HOST_LOGS"] = _hostLogs,
            ["OLLM_SCALE_IN_DELAY"] = "3s",
            ["OLLM_IDLE_TO_ZERO_DELAY"] = "3s",
            ["OLLM_MIN_HOST_LIFETIME"] = "3s",
            ["OLLM_HOST_WAIT"] = "120s",
            ["OLLAMA_KEEP_ALIVE"] = "1s",
            ["OLLM_SHUTDOWN_GRACE"] = "15s",
            ["Ollm__Simulated__TokensPerSecond"] = "20",
        });
        await _control.Ready();
    }

    public async Task DisposeAsync()
    {
        await _roles.DisposeAsync();
        if (Directory.Exists(_hostLogs))
            Directory.Delete(_hostLogs, recursive: true);
    }

    [Fact]
    public async Task From_zero_GPU_hosts_a_request_starts_one_is_served_there_the_idle_host_is_stopped_without_cutting_its_stream_and_the_next_request_starts_one_again()
    {
        Assert.Equal("Stopped", Assert.Single((await Status()).GetProperty("hosts").EnumerateArray(), h => h.GetProperty("id").GetString() == "gpu-1").GetProperty("state").GetString());

        // Three requests at once while no host runs: one start for all of them. One is a stream long
        // enough (80 tokens at 20 per second) to be in flight past the scale-in delay.
        var requests = await Task.WhenAll(Generate(tokens: 80), Generate(tokens: 4), Generate(tokens: 4));
        var first = requests[0];

        Assert.Equal(80, first.Tokens);
        Assert.All(requests, r => Assert.True(r.Done, r.Body));
        var status = await Status();
        Assert.Equal(1, status.GetProperty("starts").GetInt64());
        var home = status.GetProperty("silo").GetString();
        var start = status.GetProperty("decisions").EnumerateArray().FirstOrDefault(d => d.GetProperty("action").GetString() == "start");
        Assert.True(start.ValueKind == JsonValueKind.Object, $"no start decision: {status}\n{Logs}");
        Assert.Contains("medium", start.GetProperty("reason").GetString(), StringComparison.Ordinal);
        // The dashboard's data shows the same decision, and the control silo as one that holds no model.
        var cluster = JsonDocument.Parse(await _control.Http.GetStringAsync("/api/cluster")).RootElement;
        Assert.Contains(cluster.GetProperty("autoscaler").GetProperty("decisions").EnumerateArray(),
            d => d.GetProperty("action").GetString() == "start" && d.GetProperty("reason").GetString() == start.GetProperty("reason").GetString());
        var control = Assert.Single(cluster.GetProperty("silos").EnumerateArray(), s => !s.GetProperty("takes_models").GetBoolean()).GetProperty("address").GetString()!;
        Assert.Contains(control[..control.IndexOf('@', StringComparison.Ordinal)], home, StringComparison.Ordinal); // host:port; the autoscaler names its silo Orleans' other way
        Assert.False(status.GetProperty("decisions").EnumerateArray().Any(d => d.GetProperty("action").GetString() == "stop"
            && d.GetProperty("at").GetDateTimeOffset() < first.FinishedAt), $"a host was stopped while the stream ran (it ended {first.FinishedAt:O}): {status}\n{Logs}");

        // Idle (keep-alive 1 s, scale-in 3 s): drained and stopped, down to zero GPU hosts.
        var stopped = await WaitForStatus(s => s.GetProperty("starts").GetInt64() == 1 && s.GetProperty("running").GetInt32() == 0
            && s.GetProperty("hosts").EnumerateArray().All(h => h.GetProperty("state").GetString() == "Stopped"));
        var stop = stopped.GetProperty("decisions").EnumerateArray().LastOrDefault(d => d.GetProperty("action").GetString() == "stop");
        Assert.True(stop.ValueKind == JsonValueKind.Object, $"stopped without a stop decision: {stopped}\n{Logs}");
        Assert.Equal(home, stopped.GetProperty("silo").GetString()); // the autoscaler stayed on its control silo
        Assert.Contains("idle for", stop.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Aftermath: at zero hosts again, the next request waits for a host and is served.
        var second = await Generate(tokens: 4);
        Assert.True(second.Done, second.Body);
        Assert.Equal(2, (await Status()).GetProperty("starts").GetInt64());
    }

    private async Task<(int Tokens, bool Done, string Body, DateTimeOffset FinishedAt)> Generate(int tokens)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { model = "medium", prompt = "hi", options = new { num_predict = tokens } }), Encoding.UTF8, "application/json"),
        };
        using var http = new HttpClient { BaseAddress = _control.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {body}\n{Logs}");
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.DoesNotContain(lines, l => l.TryGetProperty("error", out _));
        var last = lines[^1];
        return (last.TryGetProperty("eval_count", out var count) ? count.GetInt32() : 0, last.GetProperty("done").GetBoolean(), body, DateTimeOffset.UtcNow);
    }

    private async Task<JsonElement> Status()
    {
        var text = await _control.Http.GetStringAsync("/api/autoscaler");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<JsonElement> WaitForStatus(Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var status = await Status();
            if (condition(status))
                return status;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the autoscaler did not get there within 2 min: {status}\n{Logs}");
            await Task.Delay(200);
        }
    }

    private string Logs => _roles.Logs + string.Concat(Directory.Exists(_hostLogs)
        ? Directory.GetFiles(_hostLogs).Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}")
        : []);
}
