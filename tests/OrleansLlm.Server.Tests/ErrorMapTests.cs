using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Server.Telemetry;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// Every endpoint that takes a model answers the same failure with the same status, in its own
/// API's error shape, and serves the next valid request afterwards.
/// </summary>
public sealed class ErrorMapTests(GatedLoadServerFixture server) : IClassFixture<GatedLoadServerFixture>
{
    /// <summary>One endpoint: a valid body (<c>{model}</c> for the model), one with a bad option, the option's name.</summary>
    private sealed record Endpoint(string Valid, string BadOption, string Option, bool OpenAi = false, bool Loads = true);

    private static readonly Dictionary<string, Endpoint> Endpoints = new()
    {
        ["/api/generate"] = new("""{"model":"{model}","prompt":"hi","stream":false,"options":{"num_predict":2}}""",
            """{"model":"demo","prompt":"hi","options":{"num_ctx":"x"}}""", "num_ctx"),
        ["/api/chat"] = new("""{"model":"{model}","messages":[{"role":"user","content":"hi"}],"stream":false,"options":{"num_predict":2}}""",
            """{"model":"demo","messages":[{"role":"user","content":"hi"}],"options":{"num_ctx":"x"}}""", "num_ctx"),
        ["/api/embed"] = new("""{"model":"{model}","input":"hi"}""",
            """{"model":"demo","input":"hi","options":{"num_ctx":"x"}}""", "num_ctx"),
        ["/api/embeddings"] = new("""{"model":"{model}","prompt":"hi"}""",
            """{"model":"demo","prompt":"hi","options":{"num_ctx":"x"}}""", "num_ctx"),
        ["/api/show"] = new("""{"model":"{model}"}""",
            """{"model":"demo","verbose":"x"}""", "verbose", Loads: false),
        ["/v1/chat/completions"] = new("""{"model":"{model}","messages":[{"role":"user","content":"hi"}],"max_tokens":2}""",
            """{"model":"demo","messages":[{"role":"user","content":"hi"}],"max_tokens":"x"}""", "max_tokens", OpenAi: true),
        ["/v1/completions"] = new("""{"model":"{model}","prompt":"hi","max_tokens":2}""",
            """{"model":"demo","prompt":"hi","max_tokens":"x"}""", "max_tokens", OpenAi: true),
        ["/v1/embeddings"] = new("""{"model":"{model}","input":"hi"}""",
            """{"model":"demo","input":"hi","encoding_format":"x"}""", "encoding_format", OpenAi: true),
    };

    public static TheoryData<string> All => [.. Endpoints.Keys];

    public static TheoryData<string> Loading => [.. Endpoints.Where(e => e.Value.Loads).Select(e => e.Key)];

    [Theory]
    [MemberData(nameof(All))]
    public async Task An_unknown_model_is_a_404_naming_it_and_the_next_request_is_served(string path)
    {
        var (status, error, _) = await Send(path, Body(path, "nothing-here"));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("model 'nothing-here' not found", error.Message);
        if (Endpoints[path].OpenAi)
            Assert.Equal(("invalid_request_error", "model_not_found"), (error.Type, error.Code));
        await AssertServed(path);
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task A_bad_option_is_a_400_naming_it_and_the_next_request_is_served(string path)
    {
        var (status, error, _) = await Send(path, Endpoints[path].BadOption);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(Endpoints[path].Option, error.Message, StringComparison.Ordinal);
        if (Endpoints[path].OpenAi)
            Assert.Equal("invalid_request_error", error.Type);
        await AssertServed(path);
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task A_body_that_is_not_json_is_a_400_and_the_next_request_is_served(string path)
    {
        var (status, error, _) = await Send(path, """{"model": "demo", "prompt": """);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("invalid JSON", error.Message, StringComparison.Ordinal);
        if (Endpoints[path].OpenAi)
            Assert.Equal("invalid_request_error", error.Type);
        await AssertServed(path);
    }

    [Theory]
    [MemberData(nameof(Loading))]
    public async Task A_busy_server_is_a_503_with_retry_after_and_the_next_request_is_served(string path)
    {
        // One request waits for a held load and fills the queue (a bound of one); the next one is refused.
        var model = server.NewGatedModel();
        using var measured = new ApiMeasurements(server.Services.GetRequiredService<ApiMetrics>().Meter);
        server.CloseGate();
        var waiting = server.Http.PostAsync("/api/generate", Json(Body("/api/generate", model)));
        try
        {
            // Placed and loading first: until then a request may be placed again, and counted anew.
            await server.GateReached.WaitAsync(TimeSpan.FromSeconds(30));
            await Until(() => server.Services.GetRequiredService<ModelClient>().Pending == 1, "the first request to wait for the load");

            var (status, error, retryAfter) = await Send(path, Body(path, model));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("server busy, please try again.  maximum pending requests exceeded", error.Message);
            Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
            if (Endpoints[path].OpenAi)
                Assert.Equal("server_error", error.Type);
            // The refusal is counted where requests are: its status, and why.
            var refused = await measured.First(ApiMetrics.RequestDurationName, path, m => Equals(m.Tags["http.response.status_code"], 503));
            Assert.Equal(typeof(ServerBusyException).FullName, refused.Tags["error.type"]);
            Assert.Equal(model, refused.Tags["gen_ai.request.model"]);
        }
        finally
        {
            server.OpenGate();
        }
        using var first = await waiting;
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertServed(path, model);
    }

    [Theory]
    [MemberData(nameof(Loading))]
    public async Task A_model_llama_cpp_refuses_is_a_500_with_its_reason_and_the_next_request_is_served(string path)
    {
        var (status, error, _) = await Send(path, Body(path, "refused"));

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.True(error.Message.Contains("layer_norm_rms_epsilon", StringComparison.Ordinal), error.Message);
        Assert.DoesNotContain(server.ModelsRoot, error.Message, StringComparison.Ordinal);
        if (Endpoints[path].OpenAi)
            Assert.Equal("server_error", error.Type);
        await AssertServed(path);
    }

    private static string Body(string path, string model) => Endpoints[path].Valid.Replace("{model}", model, StringComparison.Ordinal);

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>The error as the endpoint's API writes it: Ollama's string, or OpenAI's object.</summary>
    private async Task<(HttpStatusCode Status, (string Message, string? Type, string? Code) Error, TimeSpan? RetryAfter)> Send(string path, string body)
    {
        using var response = await server.Http.PostAsync(path, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        var shaped = Endpoints[path].OpenAi
            ? (error.GetProperty("message").GetString()!, error.GetProperty("type").GetString(), error.GetProperty("code").GetString())
            : (error.GetString()!, null, null);
        return (response.StatusCode, shaped, response.Headers.RetryAfter?.Delta);
    }

    private async Task AssertServed(string path, string model = "demo")
    {
        using var response = await server.Http.PostAsync(path, Json(Body(path, model)));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"the next {path} answered {(int)response.StatusCode}: {text}");
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }
}
