using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansLlm.Server.Tests;

public sealed class OllamaApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task The_root_answers_as_ollama_does_for_get_and_head()
    {
        Assert.Equal("Ollama is running", await Http.GetStringAsync("/"));
        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        var version = JsonDocument.Parse(await Http.GetStringAsync("/api/version")).RootElement.GetProperty("version").GetString();
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);
    }

    [Fact]
    public async Task Generate_streams_ndjson_ending_with_the_statistics()
    {
        var lines = await Lines("/api/generate", """{"model":"demo","prompt":"hello","options":{"num_predict":6,"seed":1}}""");

        Assert.True(lines.Count >= 2);
        Assert.All(lines[..^1], l => Assert.False(l.GetProperty("done").GetBoolean()));
        var last = lines[^1];
        Assert.True(last.GetProperty("done").GetBoolean());
        Assert.Equal("demo", last.GetProperty("model").GetString());
        Assert.True(last.GetProperty("eval_count").GetInt32() is > 0 and <= 6);
        Assert.True(last.GetProperty("prompt_eval_count").GetInt32() > 0);
        Assert.EndsWith("Z", last.GetProperty("created_at").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_without_streaming_returns_one_object_with_the_whole_response()
    {
        using var response = await Post("/api/generate", """{"model":"demo","prompt":"hello","stream":false,"options":{"num_predict":5,"seed":2}}""");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("done").GetBoolean());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("response").GetString()));
    }

    [Fact]
    public async Task Chat_without_streaming_returns_the_whole_message()
    {
        using var response = await Post("/api/chat", """{"model":"demo","messages":[{"role":"user","content":"hi"}],"stream":false,"options":{"num_predict":8,"seed":1,"temperature":0}}""");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.True(body.GetProperty("done").GetBoolean());
        Assert.Equal("assistant", body.GetProperty("message").GetProperty("role").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetProperty("content").GetString()));
    }

    [Fact]
    public async Task Chat_streams_assistant_messages()
    {
        var lines = await Lines("/api/chat", """{"model":"demo","messages":[{"role":"user","content":"hi"}],"options":{"num_predict":4}}""");

        Assert.Equal("assistant", lines[0].GetProperty("message").GetProperty("role").GetString());
        Assert.True(lines[^1].GetProperty("done").GetBoolean());
    }

    [Theory]
    [InlineData("""{"model":"nothing-here","prompt":"x"}""", HttpStatusCode.NotFound, "model 'nothing-here' not found")]
    [InlineData("""{"model":"../../../etc/passwd","prompt":"x"}""", HttpStatusCode.NotFound, "model '../../../etc/passwd' not found")]
    [InlineData("""{"model":"/etc/passwd","prompt":"x"}""", HttpStatusCode.NotFound, "model '/etc/passwd' not found")]
    [InlineData("""{"prompt":"x"}""", HttpStatusCode.BadRequest, "model is required")]
    [InlineData("""{"model":"demo","prompt":"x","options":{"num_ctx":"big"}}""", HttpStatusCode.BadRequest, "option \"num_ctx\" must be of type integer")]
    [InlineData("""{"model":"demo","prompt":"x","keep_alive":"10"}""", HttpStatusCode.BadRequest, "invalid keep_alive")]
    [InlineData("""{"model":"demo","prompt":"x","images":["aGk="]}""", HttpStatusCode.BadRequest, "does not support images")]
    [InlineData("""{"model": "demo", "prompt": """, HttpStatusCode.BadRequest, "invalid JSON")]
    public async Task Bad_requests_get_ollamas_errors(string body, HttpStatusCode status, string error)
    {
        using var response = await Post("/api/generate", body);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(error, json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_load_only_request_shows_in_ps_with_a_future_expiry_and_an_unload_empties_it()
    {
        using var load = await Post("/api/generate", """{"model":"demo","keep_alive":"10m"}""");
        var loaded = await Lines(load);
        Assert.Equal("load", loaded[^1].GetProperty("done_reason").GetString());

        var ps = JsonDocument.Parse(await Http.GetStringAsync("/api/ps")).RootElement.GetProperty("models");
        var model = ps.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "demo:latest");
        Assert.Equal("demo:latest", model.GetProperty("name").GetString());
        Assert.True(model.GetProperty("expires_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(9));
        Assert.True(model.GetProperty("size").GetInt64() > 0);
        // Ollama's fields, which its clients parse, are all there beside ours.
        foreach (var field in new[] { "model", "digest", "details", "size_vram" })
            Assert.True(model.TryGetProperty(field, out _), $"/api/ps lacks Ollama's '{field}': {model}");
        Assert.Equal("idle", model.GetProperty("state").GetString());
        Assert.Equal("10m0s", model.GetProperty("keep_alive").GetString());

        using var unload = await Post("/api/generate", """{"model":"demo","keep_alive":0}""");
        Assert.Equal("unload", (await Lines(unload))[^1].GetProperty("done_reason").GetString());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (JsonDocument.Parse(await Http.GetStringAsync("/api/ps")).RootElement.GetProperty("models").EnumerateArray().Any(m => m.GetProperty("name").GetString() == "demo:latest"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the model is still listed after the unload");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_corrupt_model_file_is_a_clear_error_and_the_server_keeps_serving()
    {
        var bad = Path.Combine(server.ModelsRoot, "corrupt.gguf");
        await File.WriteAllBytesAsync(bad, [.. "GGUF"u8, 3, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 127, 0, 0, 0, 0, 0, 0, 0, 0]);
        try
        {
            using var response = await Post("/api/generate", """{"model":"corrupt","prompt":"x"}""");
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();

            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Contains("Invalid GGUF", error, StringComparison.Ordinal);
            Assert.Contains("tensors", error, StringComparison.Ordinal);
            // The reason and the model's file as the root names it, never the server's path: on every API.
            Assert.Contains("corrupt.gguf", error, StringComparison.Ordinal);
            foreach (var (path, body) in new[]
            {
                ("/api/generate", """{"model":"corrupt","prompt":"x"}"""),
                ("/api/embed", """{"model":"corrupt","input":"x"}"""),
                ("/api/show", """{"model":"corrupt"}"""),
                ("/v1/chat/completions", """{"model":"corrupt","messages":[{"role":"user","content":"x"}]}"""),
                ("/v1/embeddings", """{"model":"corrupt","input":"x"}"""),
            })
            {
                using var answer = await Post(path, body);
                var text = await answer.Content.ReadAsStringAsync();
                Assert.False(answer.IsSuccessStatusCode, $"{path}: {text}");
                Assert.DoesNotContain(server.ModelsRoot, text, StringComparison.Ordinal);
            }
            var ok = await Lines("/api/generate", """{"model":"demo","prompt":"x","options":{"num_predict":2}}""");
            Assert.True(ok[^1].GetProperty("done").GetBoolean());
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public async Task Tags_list_the_models_under_the_root_with_their_details()
    {
        var models = JsonDocument.Parse(await Http.GetStringAsync("/api/tags")).RootElement.GetProperty("models");

        var demo = models.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "demo:latest");
        Assert.Contains(models.EnumerateArray(), m => m.GetProperty("name").GetString() == "slow:latest");
        Assert.StartsWith("sha256:", demo.GetProperty("digest").GetString(), StringComparison.Ordinal);
        Assert.Equal("llama", demo.GetProperty("details").GetProperty("family").GetString());
        Assert.Equal("F32", demo.GetProperty("details").GetProperty("quantization_level").GetString());
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_leaves_the_model_loaded_and_idle()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate")
        {
            Content = new StringContent("""{"model":"slow","prompt":"hello","options":{"num_predict":100000}}""", Encoding.UTF8, "application/json"),
        };
        var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.NotNull(await reader.ReadLineAsync());
        Assert.NotNull(await reader.ReadLineAsync());
        var grain = Services.GetRequiredService<IGrainFactory>().GetGrain<OrleansLlm.Abstractions.Models.IModelGrain>(Path.Combine(server.ModelsRoot, "slow.gguf"));
        Assert.Equal(1, (await grain.GetStatus()).RefCount);

        response.Dispose(); // the client goes away

        var deadline = DateTime.UtcNow.AddSeconds(10);
        OrleansLlm.Abstractions.Models.ModelStatus status;
        while ((status = await grain.GetStatus()).RefCount > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the request's reference outlived its client");
            await Task.Delay(25);
        }
        Assert.Equal(OrleansLlm.Abstractions.Models.ModelState.Ready, status.State);
        Assert.NotNull(status.ExpiresAt);
    }

    [Fact]
    public async Task Health_and_readiness_answer()
    {
        Assert.Contains("ok", await Http.GetStringAsync("/healthz"), StringComparison.Ordinal);
        var ready = JsonDocument.Parse(await Http.GetStringAsync("/readyz")).RootElement;
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.StartsWith("CPU", ready.GetProperty("backend").GetString(), StringComparison.Ordinal);
    }

    private IServiceProvider Services => server.Services;

    private Task<HttpResponseMessage> Post(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<List<JsonElement>> Lines(string path, string json)
    {
        using var response = await Post(path, json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Lines(response);
    }

    private static async Task<List<JsonElement>> Lines(HttpResponseMessage response) =>
        [.. (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
}
