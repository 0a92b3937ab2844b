using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// Requests built to cost the server as much as possible: each is answered (cut to fit, or refused
/// with the reason), a small request beside it is not held up, and the model serves on afterwards.
/// </summary>
public sealed class HostileRequestTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Small = """{"model":"demo","prompt":"hi","stream":false,"options":{"num_predict":2,"seed":1,"temperature":0}}""";

    [Fact]
    public async Task A_chat_of_100000_messages_is_cut_to_the_latest_that_fit_and_does_not_hold_up_a_small_request()
    {
        var messages = Enumerable.Range(0, 100_000).Select(i => new { role = i % 2 == 0 ? "user" : "assistant", content = $"message number {i}" });
        var hostile = JsonSerializer.Serialize(new { model = "demo", messages = messages.Prepend(new { role = "system", content = "you are terse" }), stream = false, options = new { num_predict = 2 } });
        var alone = await Timed(Small);

        var (hostileTime, hostileAnswer, beside) = await Beside(hostile);

        Assert.Equal(HttpStatusCode.OK, hostileAnswer.Status);
        Assert.InRange(hostileAnswer.Body.GetProperty("prompt_eval_count").GetInt32(), 100, 1024); // cut to the context, whole messages
        Assert.True(hostileTime < TimeSpan.FromSeconds(30), $"the 100,000-message chat took {hostileTime}");
        AssertNotHeldUp(alone, beside);
        Assert.Equal(HttpStatusCode.OK, (await Timed(Small)).Status);
    }

    [Fact]
    public async Task A_json_schema_with_100000_enum_values_is_refused_naming_the_limit_and_holds_up_nothing()
    {
        var schema = new { type = "object", properties = new { pick = new { @enum = Enumerable.Range(0, 100_000).Select(i => $"value-{i}").ToArray() } } };
        var hostile = JsonSerializer.Serialize(new { model = "demo", prompt = "pick one", stream = false, format = schema, options = new { num_predict = 8 } });
        var alone = await Timed(Small);

        var (_, answer, beside) = await Beside(hostile);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("over the limit of 16384", answer.Body.GetProperty("error").GetString());
        AssertNotHeldUp(alone, beside);
        Assert.Equal(HttpStatusCode.OK, (await Timed(Small)).Status);
    }

    [Fact]
    public async Task OpenAIs_response_format_with_a_schema_too_large_is_an_openai_shaped_400()
    {
        var schema = new { type = "object", properties = new { pick = new { @enum = Enumerable.Range(0, 100_000).Select(i => $"value-{i}").ToArray() } } };
        var body = JsonSerializer.Serialize(new
        {
            model = "demo", messages = new[] { new { role = "user", content = "pick" } }, max_tokens = 4,
            response_format = new { type = "json_schema", json_schema = new { name = "pick", schema } },
        });

        using var response = await server.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("over the limit of 16384", error.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("/api/chat", false)]
    [InlineData("/api/chat", true)]
    [InlineData("/v1/chat/completions", false)]
    [InlineData("/v1/chat/completions", true)]
    public async Task A_format_schema_with_an_unsupported_keyword_is_a_400_naming_it_and_the_model_serves_on(string path, bool stream)
    {
        var schema = new { type = "object", properties = new { x = new { not = new { type = "string" } } }, required = new[] { "x" } };
        var messages = new[] { new { role = "user", content = "answer" } };
        var body = path == "/api/chat"
            ? JsonSerializer.Serialize(new { model = "demo", messages, stream, format = schema, options = new { num_predict = 4 } })
            : JsonSerializer.Serialize(new { model = "demo", messages, stream, max_tokens = 4, response_format = new { type = "json_schema", json_schema = new { name = "x", schema } } });

        using var response = await server.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = path == "/api/chat" ? error.GetString() : error.GetProperty("message").GetString();
        Assert.Contains("keyword 'not' is not supported (at #/properties/x)", message);
        Assert.Equal(HttpStatusCode.OK, (await Timed(Small)).Status);
    }

    /// <summary>
    /// Beside the hostile request a small one must finish within a few decode steps of its time
    /// alone; a few seconds of slack cover a loaded 2-core machine (the defect was minutes).
    /// </summary>
    private static void AssertNotHeldUp((TimeSpan Time, HttpStatusCode Status, JsonElement Body) alone, (TimeSpan Time, HttpStatusCode Status, JsonElement Body) beside)
    {
        Assert.Equal(HttpStatusCode.OK, beside.Status);
        Assert.True(beside.Time < alone.Time + TimeSpan.FromSeconds(3), $"a small request took {beside.Time} beside the hostile one, {alone.Time} alone");
    }

    /// <summary>Sends the hostile request, and the small one once the hostile one is on its way.</summary>
    private async Task<(TimeSpan HostileTime, (TimeSpan Time, HttpStatusCode Status, JsonElement Body) Hostile, (TimeSpan Time, HttpStatusCode Status, JsonElement Body) Beside)> Beside(string hostile)
    {
        var started = Stopwatch.StartNew();
        var hostileTask = Timed(hostile);
        await Task.Delay(300); // the hostile body is uploaded and being read: the small request arrives while it is handled
        var beside = await Timed(Small);
        var answer = await hostileTask;
        return (started.Elapsed, answer, beside);
    }

    private async Task<(TimeSpan Time, HttpStatusCode Status, JsonElement Body)> Timed(string json)
    {
        var clock = Stopwatch.StartNew();
        using var response = await server.Http.PostAsync(json.Contains("\"messages\"", StringComparison.Ordinal) ? "/api/chat" : "/api/generate", new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        return (clock.Elapsed, response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
    }
}
