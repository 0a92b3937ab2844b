using System.Net;
using System.Text;
using System.Text.Json;
using LLama.Native;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// A failure after the answer has started cannot change the status any more: each API ends its
/// stream with the error as it writes errors (Ollama a last <c>{"error":…}</c> line, OpenAI a
/// <c>data: {"error":{…}}</c> event), and the next request is served.
/// </summary>
public sealed class MidStreamErrorTests(FaultyRunnerServerFixture server) : IClassFixture<FaultyRunnerServerFixture>
{
    public static TheoryData<string> Endpoints => ["/api/generate", "/api/chat", "/v1/chat/completions", "/v1/completions"];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_decode_failure_mid_stream_ends_the_stream_with_the_apis_error_and_the_next_request_is_served(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Body(path, stream: true, tokens: 100_000) };
        using var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.False(string.IsNullOrEmpty(await reader.ReadLineAsync())); // the answer has started

        server.Loaded.Last().FailNextDecode(DecodeResult.DecodeFailed);
        var last = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];

        if (path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            Assert.StartsWith("data: ", last, StringComparison.Ordinal);
            var error = JsonDocument.Parse(last["data: ".Length..]).RootElement.GetProperty("error");
            Assert.Contains("DecodeFailed", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal("server_error", error.GetProperty("type").GetString());
        }
        else
        {
            Assert.Contains("DecodeFailed", JsonDocument.Parse(last).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        using var next = await server.Http.PostAsync(path, Body(path, stream: false, tokens: 4));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    private static StringContent Body(string path, bool stream, int tokens)
    {
        var json = path switch
        {
            "/api/generate" => $$"""{"model":"slow","prompt":"hello","stream":{{Bool(stream)}},"options":{"num_predict":{{tokens}} } }""",
            "/api/chat" => $$"""{"model":"slow","messages":[{"role":"user","content":"hello"}],"stream":{{Bool(stream)}},"options":{"num_predict":{{tokens}} } }""",
            "/v1/chat/completions" => $$"""{"model":"slow","messages":[{"role":"user","content":"hello"}],"stream":{{Bool(stream)}},"max_tokens":{{tokens}}}""",
            _ => $$"""{"model":"slow","prompt":"hello","stream":{{Bool(stream)}},"max_tokens":{{tokens}}}""",
        };
        return new StringContent(json, Encoding.UTF8, "application/json");
    }

    private static string Bool(bool value) => value ? "true" : "false";
}
