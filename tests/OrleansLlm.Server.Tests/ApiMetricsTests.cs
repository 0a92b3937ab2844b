using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansLlm.Server.Api;
using OrleansLlm.Server.Telemetry;

namespace OrleansLlm.Server.Tests;

/// <summary><see cref="ApiMetrics"/> as a request records them, read through a <see cref="MeterListener"/> as an exporter reads them.</summary>
public sealed class ApiMetricsTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly ApiMeasurements _recorded = new(server.Services.GetRequiredService<ApiMetrics>().Meter);

    public void Dispose() => _recorded.Dispose();

    [Fact]
    public async Task A_chat_records_its_duration_first_token_time_per_token_and_token_counts_once()
    {
        var answer = await Post("/api/chat", new { model = "demo", messages = new[] { new { role = "user", content = "hi" } }, stream = true, options = new { num_predict = 5, seed = 1 } });
        var final = answer.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).Last();
        var outputTokens = final.GetProperty("eval_count").GetInt32();
        var inputTokens = final.GetProperty("prompt_eval_count").GetInt32();
        Assert.True(outputTokens > 1, "the test needs more than one output token for time per output token");

        var duration = await _recorded.Single(ApiMetrics.RequestDurationName, "/api/chat");
        Assert.Equal("chat", duration.Tags["gen_ai.operation.name"]);
        Assert.Equal("demo", duration.Tags["gen_ai.request.model"]);
        Assert.Equal(200, duration.Tags["http.response.status_code"]);
        Assert.False(duration.Tags.ContainsKey("error.type"));
        var firstToken = await _recorded.Single(ApiMetrics.TimeToFirstTokenName, "/api/chat");
        Assert.InRange(firstToken.Value, 0, duration.Value);
        var perToken = await _recorded.Single(ApiMetrics.TimePerOutputTokenName, "/api/chat");
        Assert.InRange(perToken.Value, 0, duration.Value);
        var tokens = await _recorded.Where(ApiMetrics.TokenUsageName, "/api/chat", count: 2);
        Assert.Equal(outputTokens, tokens.Single(t => (string)t.Tags["gen_ai.token.type"]! == "output").Value);
        Assert.Equal(inputTokens, tokens.Single(t => (string)t.Tags["gen_ai.token.type"]! == "input").Value);
    }

    [Fact]
    public async Task A_refused_request_records_its_status_and_error_type_but_no_token_timings()
    {
        using var response = await server.Http.PostAsync("/v1/completions", Json(new { model = "missing", prompt = "hi" }));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        var duration = await _recorded.Single(ApiMetrics.RequestDurationName, "/v1/completions");
        Assert.Equal("text_completion", duration.Tags["gen_ai.operation.name"]);
        Assert.Equal("missing", duration.Tags["gen_ai.request.model"]);
        Assert.Equal(404, duration.Tags["http.response.status_code"]);
        Assert.Equal(typeof(ModelNotFoundException).FullName, duration.Tags["error.type"]);
        Assert.Empty(_recorded.All(ApiMetrics.TimeToFirstTokenName, "/v1/completions"));
        Assert.Empty(_recorded.All(ApiMetrics.TokenUsageName, "/v1/completions"));
    }

    [Fact]
    public async Task Embeddings_record_their_duration_as_the_embeddings_operation()
    {
        await Post("/v1/embeddings", new { model = "demo", input = "hello" });

        var duration = await _recorded.Single(ApiMetrics.RequestDurationName, "/v1/embeddings");
        Assert.Equal("embeddings", duration.Tags["gen_ai.operation.name"]);
        Assert.Equal(200, duration.Tags["http.response.status_code"]);
        Assert.Empty(_recorded.All(ApiMetrics.TimeToFirstTokenName, "/v1/embeddings"));
    }

    [Fact]
    public async Task The_dashboard_activity_counts_requests_from_the_same_instruments()
    {
        var activity = server.Services.GetRequiredService<ApiActivity>();
        int Requests() => activity.Recent().Sum(b => b.Requests);
        var before = Requests();

        var answer = JsonDocument.Parse(await Post("/api/generate", new { model = "demo", prompt = "hi", stream = false, options = new { num_predict = 4, seed = 1 } })).RootElement;
        Assert.True(answer.GetProperty("eval_count").GetInt32() > 0, $"the test needs a token for its time to first token: {answer}");

        // Each listener gets each measurement in its own turn: wait until the activity has both.
        await _recorded.Single(ApiMetrics.TimeToFirstTokenName, "/api/generate");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(Requests() > before && activity.Recent().Any(b => b.MeanTimeToFirstTokenSeconds is > 0)) && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.True(Requests() > before, $"{Requests()} requests after, {before} before");
        Assert.Contains(activity.Recent(), b => b.MeanTimeToFirstTokenSeconds is > 0);
    }

    private async Task<string> Post(string path, object body)
    {
        using var response = await server.Http.PostAsync(path, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return text;
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
