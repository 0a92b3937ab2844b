using System.Net;
using System.Text;
using System.Text.Json;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// README's Roles run — a <c>frontend</c> and two <c>silo</c> processes, simulated runner, the
/// loopback cluster the other process tests use — and kill -9 of the silo that does not hold the
/// pinned models: a host lost elsewhere never unloads (or reloads) a model pinned on the survivor.
/// </summary>
/// <remarks>
/// The survivor's models are many, and the doomed silo is started afresh each round (a new place
/// on the cluster's hash ring), so that some of them have their grain-directory entry on the silo
/// that is killed: the case that once deactivated them.
/// </remarks>
public sealed class PinnedAfterKillTests : IAsyncLifetime
{
    private const int Pinned = 8;
    private const int Rounds = 3;
    private const int Others = 4 * Rounds;

    private readonly RoleProcesses _roles = new();
    private ServerProcess _survivor = null!;
    private ServerProcess _frontend = null!;
    private int _survivorPort;
    private int _survivorGateway;

    public async Task InitializeAsync()
    {
        var tiny = ShapedModelSpec.Llama3_2_1B_Q8_0 with { VocabSize = 2000, MergeCount = 0 };
        for (var i = 0; i < Pinned; i++)
            ShapedModel.Write(Path.Combine(_roles.Models, $"pinned{i}.gguf"), tiny);
        for (var other = 0; other < Others; other++)
            ShapedModel.Write(Path.Combine(_roles.Models, $"other{other}.gguf"), tiny);
        (_survivorPort, _survivorGateway) = (TestPorts.Free(), TestPorts.Free());
        // The survivor holds membership (loopback clustering's primary); the front-end talks through its gateway.
        _survivor = Start("survivor", new() { ["OLLM_ROLE"] = "silo", ["OLLM_GPUS"] = "cuda:32GiB", ["Ollm__SiloPort"] = $"{_survivorPort}", ["Ollm__GatewayPort"] = $"{_survivorGateway}" });
        _frontend = Start("frontend", new() { ["OLLM_ROLE"] = "frontend", ["OLLM_GATEWAYS"] = $"{_survivorGateway}" });
        await _frontend.Ready(async response => await Silos(response) == 1);
    }

    public async Task DisposeAsync() => await _roles.DisposeAsync();

    [Fact]
    public async Task Killing_a_silo_never_unloads_a_model_pinned_on_the_surviving_silo()
    {
        // Pinned (keep_alive -1) while the survivor is the only silo: all of them live there.
        for (var i = 0; i < Pinned; i++)
            await Generate($"pinned{i}", keepAlive: -1);
        Assert.Equal(Pinned, await PinnedLoadsOnSurvivor());

        var others = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var (doomedPort, doomedGateway) = (TestPorts.Free(), TestPorts.Free());
            var doomed = Start($"doomed{round}", new() { ["OLLM_ROLE"] = "silo", ["OLLM_GPUS"] = "cuda:64GiB", ["Ollm__SiloPort"] = $"{doomedPort}", ["Ollm__GatewayPort"] = $"{doomedGateway}", ["OLLM_PRIMARY_SILO"] = $"127.0.0.1:{_survivorPort}" });
            await _frontend.Ready(async response => await Silos(response) == 2);
            // Most free memory: another model goes to the doomed silo, once the survivor places there
            // (it learns of the new silo's grain types a little after membership).
            string other;
            do
            {
                Assert.True(others < Others, $"round {round}: no model was placed on the new silo\n{_roles.Logs}");
                other = $"other{others++}";
            }
            while (!(await Generate(other, keepAlive: -1)).Silo.StartsWith($"127.0.0.1:{doomedPort}@", StringComparison.Ordinal));

            doomed.Kill();

            // The dashboard's and Ollama's readers poll meanwhile; until membership declares the
            // silo dead and some seconds after, every pinned model is shown on the survivor.
            var deadline = DateTime.UtcNow.AddSeconds(90);
            DateTime? gone = null;
            while (gone is null || DateTime.UtcNow < gone.Value.AddSeconds(8))
            {
                var ps = await Ps();
                for (var i = 0; i < Pinned; i++)
                {
                    var silo = SiloOf(ps, $"pinned{i}");
                    Assert.True(silo?.StartsWith($"127.0.0.1:{_survivorPort}@", StringComparison.Ordinal) == true,
                        $"round {round}: pinned{i} is not shown on the survivor ({silo ?? "not loaded"}) after its peer was killed:\n{ps}\n{Evidence}");
                }
                using (var cluster = await _frontend.Http.GetAsync("/api/cluster"))
                    Assert.True(cluster.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"/api/cluster answered {(int)cluster.StatusCode}");
                using (var ready = await _frontend.Http.GetAsync("/readyz"))
                {
                    if (gone is null && ready.StatusCode == HttpStatusCode.OK && await Silos(ready) == 1 && !ps.TryGetProperty("unreachable", out _))
                        gone = DateTime.UtcNow;
                }
                Assert.True(DateTime.UtcNow < deadline, $"round {round}: the killed silo was never declared gone\n{Evidence}");
                await Task.Delay(250);
            }

            // The survivor never unloaded anything, nor loaded a pinned model again.
            var metrics = PrometheusText.Parse(await _survivor.Http.GetStringAsync("/metrics"));
            Assert.True(metrics.Find("ollm_model_unloads_total").Sum(s => s.Value) == 0,
                $"round {round}: the survivor unloaded: {string.Join(", ", metrics.Find("ollm_model_unloads_total").Select(s => $"{string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}"))} {s.Value}"))}\n{Evidence}");
            Assert.True(await PinnedLoadsOnSurvivor() == Pinned, $"round {round}: the survivor loaded a pinned model again\n{Evidence}");

            // Aftermath: a pinned model's next request is a hit on the survivor; the killed silo's
            // model is served by the survivor.
            for (var i = 0; i < Pinned; i++)
            {
                var (silo, load) = await Generate($"pinned{i}", keepAlive: -1);
                Assert.True(silo.StartsWith($"127.0.0.1:{_survivorPort}@", StringComparison.Ordinal) && load == 0, $"round {round}: pinned{i} served by {silo} after a load of {load} ns\n{Evidence}");
            }
            var (otherSilo, _) = await Generate(other, keepAlive: -1);
            Assert.StartsWith($"127.0.0.1:{_survivorPort}@", otherSilo, StringComparison.Ordinal);
            Assert.Equal(Pinned, await PinnedLoadsOnSurvivor());
        }
    }

    /// <summary>The survivor's log lines about directories, deactivations and unloads: what a failure is about.</summary>
    private string Evidence => string.Join('\n', _survivor.Output.Split('\n').Where(l =>
        l.Contains("Directory", StringComparison.OrdinalIgnoreCase) || l.Contains("deactivat", StringComparison.OrdinalIgnoreCase) ||
        l.Contains("Unloaded", StringComparison.Ordinal) || l.Contains("Restoring", StringComparison.Ordinal) || l.Contains("Loaded", StringComparison.Ordinal)));

    private async Task<double> PinnedLoadsOnSurvivor() =>
        PrometheusText.Parse(await _survivor.Http.GetStringAsync("/metrics")).Find("ollm_model_loads_total")
            .Where(s => s.Labels.GetValueOrDefault("model")?.StartsWith("pinned", StringComparison.Ordinal) == true).Sum(s => s.Value);

    private static async Task<int> Silos(HttpResponseMessage readiness) =>
        JsonDocument.Parse(await readiness.Content.ReadAsStringAsync()).RootElement.TryGetProperty("silos", out var silos) ? silos.GetInt32() : -1;

    private async Task<JsonElement> Ps()
    {
        using var answer = await _frontend.Http.GetAsync("/api/ps");
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"/api/ps answered {(int)answer.StatusCode}: {body}\n{_roles.Logs}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string? SiloOf(JsonElement ps, string model) =>
        ps.GetProperty("models").EnumerateArray().Where(m => m.GetProperty("name").GetString() == model + ":latest")
            .Select(m => m.GetProperty("silo").GetString()).FirstOrDefault();

    /// <summary>One short generation; where it was served (from /api/ps) and its load duration.</summary>
    private async Task<(string Silo, long LoadNanoseconds)> Generate(string model, int keepAlive)
    {
        using var response = await _frontend.Http.PostAsync("/api/generate",
            new StringContent(JsonSerializer.Serialize(new { model, prompt = "hi", stream = false, keep_alive = keepAlive, options = new { num_predict = 2 } }), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{model}: {(int)response.StatusCode} {body}\n{_roles.Logs}");
        var load = JsonDocument.Parse(body).RootElement.TryGetProperty("load_duration", out var d) ? d.GetInt64() : 0;
        return (SiloOf(await Ps(), model) ?? "not loaded", load);
    }

    private ServerProcess Start(string name, Dictionary<string, string> environment)
    {
        // Room for all of the models at once (Ollama's default is 3 a GPU: the pinned ones are never evicted).
        environment["OLLAMA_MAX_LOADED_MODELS"] = "64";
        // The directory's and the model grain's own account of what they did.
        environment["Logging__LogLevel__Orleans.Runtime.GrainDirectory"] = "Information";
        environment["Logging__LogLevel__Orleans.Runtime.Catalog"] = "Information";
        environment["Logging__LogLevel__OrleansLlm.Grains.Models"] = "Debug";
        return _roles.Start(name, environment);
    }
}
