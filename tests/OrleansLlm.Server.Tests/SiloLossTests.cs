using System.Net;
using System.Text;
using System.Text.Json;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// README's Roles run — two <c>silo</c> processes and a <c>frontend</c>, simulated runner — and
/// kill -9 of the silo that holds a busy model: its caller gets a clean error line, the front-end
/// never answers an unhandled 500 meanwhile, and the next request is served by the survivor.
/// </summary>
public sealed class SiloLossTests : IAsyncLifetime
{
    private readonly RoleProcesses _roles = new();
    private ServerProcess _primary = null!;
    private ServerProcess _doomed = null!;
    private ServerProcess _frontend = null!;
    private int _primaryPort;

    public async Task InitializeAsync()
    {
        ShapedModel.Write(Path.Combine(_roles.Models, "large.gguf"), ShapedModelSpec.Llama3_8B_F16 with { VocabSize = 2000, MergeCount = 0 }); // about 14 GiB
        (_primaryPort, var primaryGateway) = (TestPorts.Free(), TestPorts.Free());
        var (doomedPort, doomedGateway) = (TestPorts.Free(), TestPorts.Free());
        // The primary holds membership (localhost clustering); the other has the only GPU big enough.
        _primary = Start("primary", new() { ["OLLM_ROLE"] = "silo", ["OLLM_GPUS"] = "cuda:16GiB", ["Ollm__SiloPort"] = $"{_primaryPort}", ["Ollm__GatewayPort"] = $"{primaryGateway}" });
        _doomed = Start("doomed", new() { ["OLLM_ROLE"] = "silo", ["OLLM_GPUS"] = "cuda:24GiB", ["Ollm__SiloPort"] = $"{doomedPort}", ["Ollm__GatewayPort"] = $"{doomedGateway}", ["OLLM_PRIMARY_SILO"] = $"127.0.0.1:{_primaryPort}" });
        _frontend = Start("frontend", new() { ["OLLM_ROLE"] = "frontend", ["OLLM_GATEWAYS"] = $"{primaryGateway},{doomedGateway}" });
        await _frontend.Ready(async response =>
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.TryGetProperty("silos", out var silos) && silos.GetInt32() == 2);
    }

    public async Task DisposeAsync() => await _roles.DisposeAsync();

    [Fact]
    public async Task Killing_the_silo_of_a_busy_model_ends_its_stream_with_an_error_and_the_front_end_keeps_answering()
    {
        using var streaming = new HttpRequestMessage(HttpMethod.Post, "/api/generate") { Content = Json(new { model = "large", prompt = "hi", options = new { num_predict = 100_000 } }) };
        using var response = await _frontend.Http.SendAsync(streaming, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.NotNull(await reader.ReadLineAsync());
        var ps = JsonDocument.Parse(await _frontend.Http.GetStringAsync("/api/ps")).RootElement.GetProperty("models");
        Assert.Equal("large:latest", Assert.Single(ps.EnumerateArray()).GetProperty("name").GetString());

        _doomed.Kill();

        // Until membership declares the silo dead, and after: /api/ps answers, never a 500.
        var rest = reader.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            using var answer = await _frontend.Http.GetAsync("/api/ps");
            var body = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"/api/ps answered {(int)answer.StatusCode}: '{body}'\n{Logs}");
            JsonDocument.Parse(body).Dispose();
            await Task.Delay(200);
        }

        // The cut stream ended with Ollama's error line, not silently.
        var lines = (await rest.WaitAsync(TimeSpan.FromSeconds(60))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(JsonDocument.Parse(lines[^1]).RootElement.TryGetProperty("error", out var cut), $"the stream's last line: {lines[^1]}");
        Assert.StartsWith("the host serving model 'large' ", cut.GetString(), StringComparison.Ordinal);
        Assert.Contains("mid-answer", cut.GetString(), StringComparison.Ordinal);   // lost, or silent until the call timeout: whichever Orleans tells first
        Assert.EndsWith("retry the request", cut.GetString(), StringComparison.Ordinal);
        // The next request is served by the survivor (14 GiB fits its 16 GiB).
        using var next = await _frontend.Http.PostAsync("/api/generate", Json(new { model = "large", prompt = "hi", stream = false, options = new { num_predict = 2 } }));
        var served = JsonDocument.Parse(await next.Content.ReadAsStringAsync()).RootElement;
        Assert.True(next.StatusCode == HttpStatusCode.OK && served.GetProperty("done").GetBoolean(), $"{(int)next.StatusCode}: {served}\n{Logs}");
        var after = JsonDocument.Parse(await _frontend.Http.GetStringAsync("/api/ps")).RootElement.GetProperty("models");
        Assert.StartsWith($"127.0.0.1:{_primaryPort}@", Assert.Single(after.EnumerateArray()).GetProperty("silo").GetString(), StringComparison.Ordinal);

        // With no silo left, the unauthenticated readiness probe says so briefly (the detail goes to the log).
        _primary.Kill();
        await ClusterGone();
    }

    private async Task ClusterGone()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var answer = await _frontend.Http.GetAsync("/readyz");
            var body = await answer.Content.ReadAsStringAsync();
            if (answer.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.Equal("not ready", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());
                Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
                Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"/readyz still answers {(int)answer.StatusCode} {body} with every silo killed");
            await Task.Delay(250);
        }
    }

    private string Logs => _roles.Logs;

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private ServerProcess Start(string name, Dictionary<string, string> environment) => _roles.Start(name, environment);
}

