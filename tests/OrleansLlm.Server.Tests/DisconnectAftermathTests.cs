using System.Net;
using System.Text;
using System.Text.Json;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// A client that goes away mid-stream (a closed tab, Ctrl-C, an HTTP timeout) must cost nothing
/// but its own answer: the next request to the same model, on every streaming endpoint, gets the
/// same answer it got before the cut, and so does another model on the same silo.
/// </summary>
public sealed class DisconnectAftermathTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    public static TheoryData<string> Endpoints => ["/api/generate", "/api/chat", "/v1/chat/completions", "/v1/completions"];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task After_a_client_disconnects_mid_stream_the_next_request_gets_the_same_answer_as_before(string path)
    {
        var before = await Answer(path, "slow");
        var other = await Answer(path, "demo");

        await Cut(path, "slow");
        await Cut(path, "slow");

        Assert.Equal(before, await Answer(path, "slow"));
        Assert.Equal(before, await StreamedAnswer(path, "slow"));
        Assert.Equal(other, await Answer(path, "demo"));
    }

    /// <summary>Starts a long streamed answer, reads two chunks of it, and hangs up.</summary>
    private async Task Cut(string path, string model)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Body(path, model, stream: true, tokens: 100_000) };
        var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        for (var chunks = 0; chunks < 2;)
        {
            var line = await reader.ReadLineAsync();
            Assert.NotNull(line);
            if (line.Length > 0)
                chunks++;
        }
        response.Dispose();
    }

    private async Task<string> Answer(string path, string model)
    {
        using var response = await server.Http.PostAsync(path, Body(path, model, stream: false, tokens: 12));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {body}");
        var json = JsonDocument.Parse(body).RootElement;
        var text = path switch
        {
            "/api/generate" => json.GetProperty("response").GetString(),
            "/api/chat" => json.GetProperty("message").GetProperty("content").GetString(),
            "/v1/chat/completions" => json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(),
            _ => json.GetProperty("choices")[0].GetProperty("text").GetString(),
        };
        Assert.False(string.IsNullOrEmpty(text), $"{path} answered without text: {body}");
        return text;
    }

    private async Task<string> StreamedAnswer(string path, string model)
    {
        using var response = await server.Http.PostAsync(path, Body(path, model, stream: true, tokens: 12));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = new StringBuilder();
        var finished = false;
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (path.StartsWith("/api/", StringComparison.Ordinal))
            {
                var chunk = JsonDocument.Parse(line).RootElement;
                text.Append(path == "/api/generate" ? chunk.GetProperty("response").GetString() : chunk.GetProperty("message").GetProperty("content").GetString());
                finished |= chunk.GetProperty("done").GetBoolean();
                continue;
            }
            var data = line["data: ".Length..];
            if (data == "[DONE]")
            {
                finished = true;
                continue;
            }
            var choice = JsonDocument.Parse(data).RootElement.GetProperty("choices")[0];
            text.Append(path == "/v1/completions" ? choice.GetProperty("text").GetString() : choice.GetProperty("delta").TryGetProperty("content", out var c) ? c.GetString() : "");
        }
        Assert.True(finished, $"{path}'s stream did not finish");
        return text.ToString();
    }

    private static StringContent Body(string path, string model, bool stream, int tokens)
    {
        var s = stream ? "true" : "false";
        var json = path switch
        {
            "/api/generate" => $$"""{"model":"{{model}}","prompt":"hello there","stream":{{s}},"options":{"num_predict":{{tokens}},"seed":3,"temperature":0} }""",
            "/api/chat" => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hello there"}],"stream":{{s}},"options":{"num_predict":{{tokens}},"seed":3,"temperature":0} }""",
            "/v1/chat/completions" => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hello there"}],"stream":{{s}},"max_tokens":{{tokens}},"seed":3,"temperature":0}""",
            _ => $$"""{"model":"{{model}}","prompt":"hello there","stream":{{s}},"max_tokens":{{tokens}},"seed":3,"temperature":0}""",
        };
        return new StringContent(json, Encoding.UTF8, "application/json");
    }
}
