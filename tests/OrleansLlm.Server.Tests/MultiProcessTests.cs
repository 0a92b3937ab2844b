using System.Net;
using System.Text;
using System.Text.Json;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// Three processes clustered over loopback: two <c>silo</c> processes with different GPUs
/// (simulated runner) and one <c>frontend</c> process that only serves HTTP.
/// </summary>
public sealed class MultiProcessTests : IAsyncLifetime
{
    private readonly RoleProcesses _roles = new();
    private int _smallSiloPort;
    private int _bigSiloPort;
    private ServerProcess _frontend = null!;
    private ServerProcess _small = null!;
    private ServerProcess _big = null!;

    public async Task InitializeAsync()
    {
        var spec = ShapedModelSpec.Llama3_8B_F16 with { VocabSize = 2000, MergeCount = 0 };
        ShapedModel.Write(Path.Combine(_roles.Models, "large.gguf"), spec);                                                    // about 14 GiB
        ShapedModel.Write(Path.Combine(_roles.Models, "medium.gguf"), ShapedModelSpec.Llama3_8B_Q4_K_M with { VocabSize = 2000, MergeCount = 0 }); // about 5 GiB

        (_smallSiloPort, var smallGateway) = (TestPorts.Free(), TestPorts.Free());
        (_bigSiloPort, var bigGateway) = (TestPorts.Free(), TestPorts.Free());
        // One slot per runner, and a replica as soon as a model's runners are all taken: the replica
        // test's settings, which the others (one request at a time) never reach.
        _small = Start("small-silo", new() { ["OLLM_ROLE"] = "silo", ["OLLM_GPUS"] = "cuda:8GiB", ["Ollm__SiloPort"] = $"{_smallSiloPort}", ["Ollm__GatewayPort"] = $"{smallGateway}", ["OLLAMA_NUM_PARALLEL"] = "1", ["OLLM_REPLICA_AFTER"] = "0" });
        _big = Start("big-silo", new() { ["OLLM_ROLE"] = "silo", ["OLLM_GPUS"] = "cuda:20GiB", ["Ollm__SiloPort"] = $"{_bigSiloPort}", ["Ollm__GatewayPort"] = $"{bigGateway}", ["OLLM_PRIMARY_SILO"] = $"127.0.0.1:{_smallSiloPort}", ["OLLAMA_NUM_PARALLEL"] = "1", ["OLLM_REPLICA_AFTER"] = "0" });
        _frontend = Start("frontend", new() { ["OLLM_ROLE"] = "frontend", ["OLLM_GATEWAYS"] = $"{smallGateway},{bigGateway}" });

        try
        {
            await _frontend.Ready(async response =>
                JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.TryGetProperty("silos", out var silos) && silos.GetInt32() == 2);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"the three processes did not form a cluster:\n{Logs}", e);
        }
    }

    public async Task DisposeAsync() => await _roles.DisposeAsync();

    [Fact]
    public async Task Api_ps_on_the_frontend_shows_each_model_on_the_silo_where_it_fits()
    {
        // 14 GiB fits only the 20 GiB silo; then 5 GiB goes where most memory is free: the 8 GiB silo.
        await Generate("large");
        await Generate("medium");

        var models = await Ps();
        string SiloOf(string name) => models.Single(m => m.GetProperty("name").GetString() == name + ":latest").GetProperty("silo").GetString()!;

        Assert.StartsWith($"127.0.0.1:{_bigSiloPort}@", SiloOf("large"), StringComparison.Ordinal);
        Assert.StartsWith($"127.0.0.1:{_smallSiloPort}@", SiloOf("medium"), StringComparison.Ordinal);
        Assert.All(models, m =>
        {
            // One GPU, holding all of the model's VRAM; idle, counting down the default keep-alive.
            var gpu = Assert.Single(m.GetProperty("gpus").EnumerateArray());
            Assert.Equal("0", gpu.GetProperty("id").GetString());
            Assert.Equal(m.GetProperty("size_vram").GetInt64(), gpu.GetProperty("size_vram").GetInt64());
            Assert.Equal("idle", m.GetProperty("state").GetString());
            Assert.Equal("5m0s", m.GetProperty("keep_alive").GetString());
        });
    }

    [Fact]
    public async Task A_busy_model_gets_a_replica_on_the_other_silo_process_api_ps_lists_both_and_keep_alive_0_unloads_both()
    {
        // The first request holds the model's one slot (300 tokens at the simulated 100 per second).
        using var holding = new HttpRequestMessage(HttpMethod.Post, "/api/generate")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { model = "medium", prompt = "hi", options = new { num_predict = 300 } }), Encoding.UTF8, "application/json"),
        };
        using var first = await _frontend.Http.SendAsync(holding, HttpCompletionOption.ResponseHeadersRead);
        var firstStream = new StreamReader(await first.Content.ReadAsStreamAsync());
        Assert.NotNull(await firstStream.ReadLineAsync());
        // The next finds every slot taken (OLLM_REPLICA_AFTER=0): the model's primary starts a replica on the other silo.
        var second = Generate("medium", tokens: 300);
        JsonElement[] runners = [];
        await Until(async () =>
        {
            runners = [.. (await Ps()).Where(m => m.GetProperty("name").GetString() == "medium:latest")];
            return runners.Length == 2;
        }, TimeSpan.FromSeconds(60), "the replica is listed");
        Assert.Equal([0, 1], runners.Select(m => m.GetProperty("replica").GetInt32()).Order());
        Assert.Equal(2, runners.Select(m => m.GetProperty("silo").GetString()).Distinct().Count());

        // A third request is served (the replica has a slot free).
        await Generate("medium", tokens: 2);
        await second;
        Assert.Contains("\"done\":true", await firstStream.ReadToEndAsync(), StringComparison.Ordinal);

        // keep_alive 0 reaches every runner of the model: both unload.
        using var unload = await _frontend.Http.PostAsync("/api/generate", new StringContent(JsonSerializer.Serialize(new { model = "medium", keep_alive = 0 }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        await Until(async () => !(await Ps()).Any(m => m.GetProperty("name").GetString() == "medium:latest"), TimeSpan.FromSeconds(60), "both runners unload");
        // The aftermath: the model is served again.
        await Generate("medium");
    }

    [Fact]
    public async Task Metrics_on_each_silo_process_health_port_show_that_silo_s_gpu()
    {
        await Generate("large");   // only the 20 GiB silo holds it

        var models = await Ps();
        var vram = Assert.Single(models).GetProperty("size_vram").GetInt64();
        var big = PrometheusText.Parse(await _big.Http.GetStringAsync("/metrics"));
        var small = PrometheusText.Parse(await _small.Http.GetStringAsync("/metrics"));

        var bigSilo = Assert.Single(big.Find("ollm_gpu_memory_total_bytes")).Labels["silo"];
        Assert.StartsWith($"127.0.0.1:{_bigSiloPort}@", bigSilo, StringComparison.Ordinal);
        Assert.Equal(20L << 30, big.Value("ollm_gpu_memory_total_bytes", ("silo", bigSilo)));
        Assert.Equal(vram, big.Value("ollm_gpu_memory_reserved_bytes", ("silo", bigSilo)));
        Assert.Equal(1, big.Value("ollm_models_loaded", ("silo", bigSilo)));
        Assert.Equal(1, big.Find("ollm_model_loads_total").Sum(s => s.Value));

        var smallSilo = Assert.Single(small.Find("ollm_gpu_memory_total_bytes")).Labels["silo"];
        Assert.StartsWith($"127.0.0.1:{_smallSiloPort}@", smallSilo, StringComparison.Ordinal);
        Assert.Equal(8L << 30, small.Value("ollm_gpu_memory_total_bytes"));
        Assert.Equal(0, small.Value("ollm_gpu_memory_reserved_bytes"));
        Assert.Equal(0, small.Value("ollm_models_loaded"));
        Assert.Empty(small.Find("ollm_model_loads_total"));

        // The front-end runs no silo: HTTP figures, no GPU ones.
        var frontend = PrometheusText.Parse(await _frontend.Http.GetStringAsync("/metrics"));
        Assert.Empty(frontend.Find("ollm_gpu_memory_total_bytes"));
        Assert.Contains(frontend.Samples, s => s.Name == "http_server_request_duration_seconds_count" && s.Labels.GetValueOrDefault("http_route") == "/api/generate");
        Assert.Equal("ollm-frontend", Assert.Single(frontend.Find("target_info")).Labels["service_name"]);
        Assert.Equal("ollm-silo", Assert.Single(big.Find("target_info")).Labels["service_name"]);
    }

    private string Logs => _roles.Logs;

    private async Task Generate(string model, int tokens = 2)
    {
        using var response = await _frontend.Http.PostAsync("/api/generate", new StringContent(JsonSerializer.Serialize(new { model, prompt = "hi", stream = false, options = new { num_predict = tokens } }), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{model}: {body}\n{Logs}");
        Assert.Contains("\"done\":true", body, StringComparison.Ordinal);
    }

    private async Task<JsonElement[]> Ps() =>
        [.. JsonDocument.Parse(await _frontend.Http.GetStringAsync("/api/ps")).RootElement.GetProperty("models").EnumerateArray()];

    /// <summary>Polls <paramref name="condition"/> until true, with a timeout generous for a loaded machine.</summary>
    private async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not within {timeout}: {what}\n{Logs}");
            await Task.Delay(100);
        }
    }

    private ServerProcess Start(string name, Dictionary<string, string> environment) => _roles.Start(name, environment);
}
