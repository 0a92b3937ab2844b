using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using OrleansLlm.Gguf.Models;
using Xunit.Abstractions;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// README's Roles with <c>OLLM_CLUSTERING=azure</c>: three silo processes and a front-end whose
/// membership, reminders and model grain state live in Azurite — a process of its own, which no
/// silo's loss can reach. Killing any silo, the first included, leaves the rest serving; a pinned
/// model comes back on a survivor; SIGTERM drains a silo; a restarted silo rejoins.
/// </summary>
public sealed class AzureClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RoleProcesses _roles = new();
    private readonly string _clusterId = "t" + Guid.NewGuid().ToString("N")[..12];
    private Azurite _azurite = null!;
    private ServerProcess _frontend = null!;

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartAsync();
        ShapedModel.Write(Path.Combine(_roles.Models, "large.gguf"), ShapedModelSpec.Llama3_8B_F16 with { VocabSize = 2000, MergeCount = 0 }); // about 14 GiB
        ShapedModel.Write(Path.Combine(_roles.Models, "small.gguf"), ShapedModelSpec.Llama3_2_1B_Q8_0 with { VocabSize = 2000, MergeCount = 0 });
    }

    public async Task DisposeAsync()
    {
        await _roles.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    [Fact]
    public async Task Killing_the_first_silo_ends_its_busy_stream_with_an_error_leaves_the_cluster_serving_and_its_pinned_model_serves_again_on_a_survivor()
    {
        // The first silo has the most GPU memory, so the pinned model goes there.
        var first = Silo("first", "cuda:24GiB");
        await first.Ready();
        Silo("second", "cuda:16GiB");
        Silo("third", "cuda:16GiB");
        await FrontEnd(silos: 3);
        var pinned = await Post("/api/generate", new { model = "large", keep_alive = -1 });
        Assert.True(pinned.StatusCode == HttpStatusCode.OK, $"{(int)pinned.StatusCode} {await pinned.Content.ReadAsStringAsync()}\n{_roles.Logs}");
        Assert.Equal(first.SiloPort, SiloPortOf(await Ps(), "large:latest"));
        // The pinned model is busy too: a stream in flight on it when its host dies.
        using var streaming = new HttpRequestMessage(HttpMethod.Post, "/api/generate") { Content = Json(new { model = "large", prompt = "hi", options = new { num_predict = 100_000 } }) };
        using var busy = await _frontend.Http.SendAsync(streaming, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await busy.Content.ReadAsStreamAsync());
        Assert.NotNull(await reader.ReadLineAsync());

        first.Kill();
        var killed = Stopwatch.StartNew();
        var rest = reader.ReadToEndAsync();

        // The cluster keeps serving: another model is placed and answers while membership catches up.
        var other = await Generate("small");
        Assert.True(other.Done, $"a request after the first silo died: {other.Body}\n{_roles.Logs}");
        // Its busy stream ended with a clean error line, not silently.
        var lines = (await rest.WaitAsync(TimeSpan.FromSeconds(90))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(JsonDocument.Parse(lines[^1]).RootElement.TryGetProperty("error", out var cut), $"the stream's last line: {lines[^1]}");
        Assert.StartsWith("the host serving model 'large' ", cut.GetString(), StringComparison.Ordinal);
        // The pinned model comes back by itself (its reminder and state are in Azurite), on a
        // survivor; meanwhile the front-end answers /api/ps, never with an unhandled 500.
        var deadline = TimeSpan.FromSeconds(150);
        while (true)
        {
            using var answer = await _frontend.Http.GetAsync("/api/ps");
            var ps = await answer.Content.ReadAsStringAsync();
            // While membership cannot be read, a clean 503 with Ollama's error shape; never an unhandled 500.
            Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"/api/ps answered {(int)answer.StatusCode}: '{ps}'\n{_roles.Logs}");
            JsonDocument.Parse(ps).Dispose();
            if (answer.StatusCode == HttpStatusCode.OK && SiloPortOf(ps, "large:latest") is { } port && port != first.SiloPort)
                break;
            Assert.True(killed.Elapsed < deadline, $"the pinned model was not loaded on a survivor within {deadline}:\n{ps}\n{_roles.Logs}");
            await Task.Delay(250);
        }
        var back = killed.Elapsed;
        var served = await Generate("large");
        Assert.True(served.Done, served.Body);
        output.WriteLine($"pinned model loaded on a survivor {back.TotalSeconds:0.0} s after its silo was killed; served {killed.Elapsed.TotalSeconds:0.0} s after");
    }

    [Fact]
    public async Task SIGTERM_lets_the_stream_in_flight_finish_and_the_silo_leaves_cleanly()
    {
        var draining = Silo("draining", "cuda:24GiB", tokensPerSecond: 50);
        await draining.Ready();
        var staying = Silo("staying", "cuda:16GiB");
        await FrontEnd(silos: 2);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate")
        {
            Content = Json(new { model = "large", prompt = "hi", keep_alive = "1h", options = new { num_predict = 150 } }), // 3 s at 50 tokens/s
        };
        using var response = await _frontend.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.NotNull(await reader.ReadLineAsync());
        Assert.Equal(draining.SiloPort, SiloPortOf(await Ps(), "large:latest"));

        var drain = Stopwatch.StartNew();
        draining.Terminate();

        // The stream finishes whole: its last line is done, not an error.
        var lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var last = JsonDocument.Parse(lines[^1]).RootElement;
        Assert.True(last.TryGetProperty("done", out var done) && done.GetBoolean(), $"the drained stream ended with {lines[^1]}\n{_roles.Logs}");
        Assert.Equal(150, last.GetProperty("eval_count").GetInt32());
        Assert.Equal(0, await draining.Exited(TimeSpan.FromSeconds(60)));
        output.WriteLine($"silo drained and exited {drain.Elapsed.TotalSeconds:0.0} s after SIGTERM with a stream in flight");
        // It left membership, and the model kept alive was placed again on the other silo.
        await _frontend.Ready(async r => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("silos").GetInt32() == 1);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (SiloPortOf(await Ps(), "large:latest") != staying.SiloPort)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the kept-alive model was not placed again on the other silo:\n{await Ps()}\n{_roles.Logs}");
            await Task.Delay(250);
        }
        Assert.True((await Generate("large")).Done);
    }

    [Fact]
    public async Task A_silo_restarted_with_the_same_endpoint_rejoins_the_cluster()
    {
        var stable = Silo("stable", "cuda:16GiB");
        await stable.Ready();
        var restarting = Silo("restarting", "cuda:16GiB");
        await FrontEnd(silos: 2);

        restarting.Kill();
        var again = Silo("restarted", "cuda:16GiB", siloPort: restarting.SiloPort, gatewayPort: restarting.GatewayPort);
        await again.Ready();

        await _frontend.Ready(async r => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("silos").GetInt32() == 2);
        Assert.True((await Generate("small")).Done);
    }

    [Fact]
    public async Task Storage_that_does_not_answer_at_start_is_a_clear_error_naming_it_not_a_hang()
    {
        var nowhere = TestPorts.Free();
        var silo = _roles.Start("no-storage", new()
        {
            ["OLLM_ROLE"] = "silo",
            ["OLLM_GPUS"] = "cuda:16GiB",
            ["OLLM_CLUSTERING"] = "azure",
            ["OLLM_STORAGE_CONNECTION_STRING"] = _azurite.ConnectionString.Replace($":{_azurite.Port}/", $":{nowhere}/", StringComparison.Ordinal),
        });

        var exitCode = await silo.Exited(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"cluster storage at http://127.0.0.1:{nowhere}/devstoreaccount1 is not reachable", silo.Output, StringComparison.Ordinal);
    }

    private AzureSilo Silo(string name, string gpus, int? tokensPerSecond = null, int? siloPort = null, int? gatewayPort = null)
    {
        var (port, gateway) = (siloPort ?? TestPorts.Free(), gatewayPort ?? TestPorts.Free());
        var environment = Azure(new()
        {
            ["OLLM_ROLE"] = "silo",
            ["OLLM_GPUS"] = gpus,
            ["OLLM_SILO_PORT"] = $"{port}",
            ["OLLM_GATEWAY_PORT"] = $"{gateway}",
            ["OLLM_SHUTDOWN_GRACE"] = "20s",
            // The pinned model's reminder checks every 5 s (README: Ollm:KeepAliveReminderPeriod).
            ["Ollm__KeepAliveReminderPeriod"] = "00:00:05",
            ["Logging__LogLevel__OrleansLlm"] = "Information",
        });
        if (tokensPerSecond is { } rate)
            environment["Ollm__Simulated__TokensPerSecond"] = $"{rate}";
        return new AzureSilo(_roles.Start(name, environment), port, gateway);
    }

    private async Task FrontEnd(int silos)
    {
        _frontend = _roles.Start("frontend", Azure(new() { ["OLLM_ROLE"] = "frontend" }));
        await _frontend.Ready(async response =>
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.TryGetProperty("silos", out var count) && count.GetInt32() == silos);
    }

    private Dictionary<string, string> Azure(Dictionary<string, string> environment)
    {
        environment["OLLM_CLUSTERING"] = "azure";
        environment["OLLM_STORAGE_CONNECTION_STRING"] = _azurite.ConnectionString;
        environment["OLLM_CLUSTER_ID"] = _clusterId;
        environment["OLLM_SERVICE_ID"] = _clusterId;
        return environment;
    }

    private async Task<(bool Done, string Body)> Generate(string model)
    {
        using var response = await Post("/api/generate", new { model, prompt = "hi", stream = false, options = new { num_predict = 2 } });
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode == HttpStatusCode.OK && JsonDocument.Parse(body).RootElement.TryGetProperty("done", out var done) && done.GetBoolean(), body);
    }

    private Task<HttpResponseMessage> Post(string path, object body) => _frontend.Http.PostAsync(path, Json(body));

    /// <summary><c>/api/ps</c>, asked again while the cluster briefly cannot read its membership (a clean 503).</summary>
    private async Task<string> Ps()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var answer = await _frontend.Http.GetAsync("/api/ps");
            var body = await answer.Content.ReadAsStringAsync();
            if (answer.StatusCode == HttpStatusCode.OK || attempt == 20)
                return body;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            await Task.Delay(250);
        }
    }

    /// <summary>The silo port of the silo <c>/api/ps</c> shows <paramref name="name"/> on; null when it is not loaded.</summary>
    private static int? SiloPortOf(string ps, string name)
    {
        foreach (var model in JsonDocument.Parse(ps).RootElement.GetProperty("models").EnumerateArray())
        {
            if (model.GetProperty("name").GetString() == name && model.GetProperty("silo").GetString() is { } silo)
                return int.Parse(silo.Split('@')[0].Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);
        }
        return null;
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private sealed record AzureSilo(ServerProcess Process, int SiloPort, int GatewayPort)
    {
        public Task<ServerProcess> Ready() => Process.Ready();

        public void Kill() => Process.Kill();

        public void Terminate() => Process.Terminate();

        public Task<int> Exited(TimeSpan timeout) => Process.Exited(timeout);
    }
}
