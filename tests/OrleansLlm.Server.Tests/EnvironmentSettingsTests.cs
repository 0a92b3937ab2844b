using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// Each Ollama setting we honour, as users set it: an environment variable of the real server
/// process, its effect seen through HTTP.
/// </summary>
public sealed class EnvironmentSettingsTests : IDisposable
{
    private readonly string _models = Path.Combine(Path.GetTempPath(), "ollm-env-" + Guid.NewGuid().ToString("N"));

    public EnvironmentSettingsTests()
    {
        Directory.CreateDirectory(_models);
        foreach (var name in new[] { "alpha", "beta" })
            DemoModel.Write(Path.Combine(_models, name + ".gguf"), DemoModelOptions.Tiny);
    }

    public void Dispose() => Directory.Delete(_models, recursive: true);

    [Fact]
    public async Task OLLAMA_HOST_as_a_url_is_where_the_api_listens()
    {
        var port = TestPorts.Free();
        await using var server = await Start(new() { ["OLLAMA_HOST"] = $"http://127.0.0.1:{port}/" });

        Assert.Equal(port, server.HttpPort);
        Assert.Equal("Ollama is running", await server.Http.GetStringAsync("/"));
    }

    [Fact]
    public async Task OLLAMA_KEEP_ALIVE_is_the_keep_alive_of_requests_without_one()
    {
        await using var server = await Start(new() { ["OLLAMA_KEEP_ALIVE"] = "-1", ["OLLM_RUNNER"] = "simulated", ["OLLM_GPUS"] = "cuda:24GiB" });

        Assert.Equal(HttpStatusCode.OK, (await Generate(server, "alpha")).Status);

        var model = JsonDocument.Parse(await server.Http.GetStringAsync("/api/ps")).RootElement.GetProperty("models")[0];
        Assert.True(model.GetProperty("expires_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddYears(100), $"pinned by the server default, yet {model}");
    }

    [Fact]
    public async Task OLLM_API_KEY_refuses_requests_without_the_key_and_serves_those_with_it()
    {
        await using var server = await Start(new() { ["OLLM_API_KEY"] = "s3cret" });

        using var without = await server.Http.GetAsync("/api/tags");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tags") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "s3cret") } };
        using var with = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
    }

    [Fact]
    public async Task OLLAMA_MAX_LOADED_MODELS_1_keeps_one_model_loaded()
    {
        await using var server = await Start(new() { ["OLLAMA_MAX_LOADED_MODELS"] = "1", ["OLLM_RUNNER"] = "simulated", ["OLLM_GPUS"] = "cuda:24GiB" });

        Assert.Equal(HttpStatusCode.OK, (await Generate(server, "alpha")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Generate(server, "beta")).Status);

        Assert.Equal(["beta:latest"], await Loaded(server));
    }

    [Fact]
    public async Task OLLAMA_NUM_PARALLEL_multiplies_the_context_and_one_slot_still_serves_two_requests()
    {
        await using (var three = await Start(new() { ["OLLAMA_NUM_PARALLEL"] = "3" }))
        {
            Assert.Equal(HttpStatusCode.OK, (await Generate(three, "alpha", numCtx: 64)).Status);
            var model = JsonDocument.Parse(await three.Http.GetStringAsync("/api/ps")).RootElement.GetProperty("models")[0];
            Assert.Equal(192, model.GetProperty("context_length").GetInt32());
        }

        await using var one = await Start(new() { ["OLLAMA_NUM_PARALLEL"] = "1" });
        var alone = await Generate(one, "alpha", tokens: 16);
        var both = await Task.WhenAll(Generate(one, "alpha", tokens: 16), Generate(one, "alpha", tokens: 16));
        Assert.All(both, b => Assert.Equal(HttpStatusCode.OK, b.Status));
        Assert.All(both, b => Assert.Equal(alone.Body.GetProperty("response").GetString(), b.Body.GetProperty("response").GetString()));
    }

    [Fact]
    public async Task OLLAMA_MAX_QUEUE_refuses_requests_beyond_it_while_a_load_is_waited_for()
    {
        // A simulated load of about 4 s (it takes the estimate's bytes at this rate), so all five requests wait for it together.
        var gpus = Scheduling.Gpus.GpuInventory.Create("cuda:24GiB", null).GetGpus();
        var bytes = Scheduling.Estimation.MemoryEstimator.Estimate(Gguf.GgufReader.ReadFile(Path.Combine(_models, "alpha.gguf")), gpus,
            Scheduling.Options.RunnerOptions.Default with { NumCtx = 256 }).TotalSize;
        await using var server = await Start(new()
        {
            ["OLLAMA_MAX_QUEUE"] = "2", ["OLLM_RUNNER"] = "simulated", ["OLLM_GPUS"] = "cuda:24GiB",
            ["Ollm__Simulated__LoadBytesPerSecond"] = $"{bytes / 4}",
        });

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Generate(server, "alpha")));

        Assert.Equal(2, answers.Count(a => a.Status == HttpStatusCode.OK));
        var refused = answers.Where(a => a.Status != HttpStatusCode.OK).ToArray();
        Assert.Equal(3, refused.Length);
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.Status));
        Assert.All(refused, r => Assert.Equal("server busy, please try again.  maximum pending requests exceeded", r.Body.GetProperty("error").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await Generate(server, "alpha")).Status); // and once loaded, it serves
    }

    [Fact]
    public async Task OLLAMA_LOAD_TIMEOUT_fails_a_load_that_stops_progressing_and_leaves_nothing_loaded()
    {
        // The simulated load reports progress every tenth: at this rate a tenth takes about 3 s, longer than the 1 s allowed.
        var gpus = Scheduling.Gpus.GpuInventory.Create("cuda:24GiB", null).GetGpus();
        var bytes = Scheduling.Estimation.MemoryEstimator.Estimate(Gguf.GgufReader.ReadFile(Path.Combine(_models, "alpha.gguf")), gpus,
            Scheduling.Options.RunnerOptions.Default with { NumCtx = 256 }).TotalSize;
        await using var server = await Start(new()
        {
            ["OLLAMA_LOAD_TIMEOUT"] = "1s", ["OLLM_RUNNER"] = "simulated", ["OLLM_GPUS"] = "cuda:24GiB",
            ["Ollm__Simulated__LoadBytesPerSecond"] = $"{bytes / 30}",
        });

        var stalled = await Generate(server, "alpha");

        Assert.Equal(HttpStatusCode.InternalServerError, stalled.Status);
        var error = stalled.Body.GetProperty("error").GetString()!;
        Assert.StartsWith("timed out waiting for llama runner to start", error, StringComparison.Ordinal);
        Assert.Contains("OLLAMA_LOAD_TIMEOUT", error, StringComparison.Ordinal);
        Assert.Empty(await Loaded(server));
    }

    [Theory]
    [InlineData("1s", true)]
    [InlineData("0", false)]
    public async Task OLLM_DRAIN_BUSY_AFTER_lets_a_load_that_waited_drain_a_model_kept_busy_and_0_keeps_the_seeds_rule(string drainAfter, bool drains)
    {
        // One model at a time; alpha is kept busy by two clients sending one request after another.
        await using var server = await Start(new()
        {
            ["OLLM_DRAIN_BUSY_AFTER"] = drainAfter, ["OLLM_MIN_RESIDENCY"] = "0", ["OLLAMA_MAX_LOADED_MODELS"] = "1",
            ["OLLM_RUNNER"] = "simulated", ["OLLM_GPUS"] = "cuda:24GiB", ["Ollm__Simulated__TokensPerSecond"] = "100",
        });
        Assert.Equal(HttpStatusCode.OK, (await Generate(server, "alpha")).Status);
        // A long request holds alpha busy well past the bound (3 s), so that beta's load waits on a
        // busy model whatever the machine's load; two clients keep sending more behind it.
        var holder = Generate(server, "alpha", tokens: 300);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await StateOf(server, "alpha:latest") != "busy")
        {
            Assert.True(DateTime.UtcNow < deadline, $"alpha never got busy\n{server.Output}");
            await Task.Delay(20);
        }
        var alphaDone = new List<DateTimeOffset>();
        async Task<(HttpStatusCode Status, JsonElement Body)[]> KeepBusy()
        {
            var answers = new List<(HttpStatusCode, JsonElement)>();
            for (var i = 0; i < 4; i++)
            {
                answers.Add(await Generate(server, "alpha", tokens: 100));
                lock (alphaDone)
                    alphaDone.Add(DateTimeOffset.UtcNow);
            }
            return [.. answers];
        }
        var busy = Task.WhenAll(KeepBusy(), KeepBusy());

        var beta = await Generate(server, "beta");
        var betaDone = DateTimeOffset.UtcNow;
        var held = await holder;
        var alpha = (await busy).SelectMany(a => a).Append(held).ToArray();

        Assert.Equal(HttpStatusCode.OK, beta.Status);
        Assert.All(alpha, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(alpha, a => Assert.Equal("length", a.Body.GetProperty("done_reason").GetString())); // drained or not, never cut
        var drained = PrometheusText.Parse(await server.Http.GetStringAsync("/metrics")).Find("ollm_model_unloads_total", ("reason", "drained_for_room")).Sum(m => m.Value);
        Assert.Equal(drains, drained > 0);
        if (drains)
        {
            // Drained: the requests that reached alpha meanwhile wait, and are served after beta.
            Assert.True(betaDone < alphaDone.Max(), "no alpha request was served after beta, though alpha was drained for it");
        }
        // Without draining, alpha may still go whenever it is idle between the clients' requests
        // (the seed evicts an idle model); what never happens is a drain.
    }

    private static async Task<string?> StateOf(ServerProcess server, string model) =>
        JsonDocument.Parse(await server.Http.GetStringAsync("/api/ps")).RootElement.GetProperty("models").EnumerateArray()
            .Where(m => m.GetProperty("name").GetString() == model).Select(m => m.GetProperty("state").GetString()).FirstOrDefault();

    private async Task<ServerProcess> Start(Dictionary<string, string> environment)
    {
        environment["OLLM_MODELS"] = _models;
        return await ServerProcess.Start(string.Join(',', environment.Keys), environment, _models).Ready();
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Generate(ServerProcess server, string model, int tokens = 4, int numCtx = 256)
    {
        var json = $$"""{"model":"{{model}}","prompt":"hello","stream":false,"options":{"num_predict":{{tokens}},"num_ctx":{{numCtx}},"seed":1,"temperature":0} }""";
        using var response = await server.Http.PostAsync("/api/generate", new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            return (response.StatusCode, JsonDocument.Parse(body).RootElement);
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode} with a body that is not JSON: '{body}'\n{server.Output}");
        }
    }

    private static async Task<string[]> Loaded(ServerProcess server) =>
        [.. JsonDocument.Parse(await server.Http.GetStringAsync("/api/ps")).RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()!)];
}
