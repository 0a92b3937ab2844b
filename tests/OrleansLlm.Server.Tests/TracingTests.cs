using System.Diagnostics;
using System.Net;
using System.Text;

namespace OrleansLlm.Server.Tests;

/// <summary>One request, one trace: the HTTP server span, the grain call, placement, the load and the first token.</summary>
public sealed class TracingTests(TracingServerFixture server) : IClassFixture<TracingServerFixture>
{
    [Fact]
    public async Task One_trace_covers_the_http_request_the_grain_call_placement_the_load_and_the_first_token()
    {
        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate")
        {
            Content = new StringContent("""{"model":"demo","prompt":"hi","stream":false,"options":{"num_predict":3,"seed":1,"temperature":0}}""", Encoding.UTF8, "application/json"),
        };
        // The caller's trace, as a W3C traceparent header: the server's spans must join it.
        request.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        static bool Has(IReadOnlyList<Activity> spans, string name) => spans.Any(s => s.OperationName == name);
        var spans = await server.Spans.Trace(trace,
            s => s.Any(a => a.Source.Name == "Microsoft.AspNetCore") && Has(s, "ollm.model.request") && Has(s, "ollm.model.load") && Has(s, "ollm.placement"),
            TimeSpan.FromSeconds(30));
        var names = string.Join(", ", spans.Select(s => $"{s.Source.Name}:{s.OperationName}"));

        var http = Assert.Single(spans, s => s.Source.Name == "Microsoft.AspNetCore");
        Assert.Equal(ActivityKind.Server, http.Kind);
        // The front-end's part: its request waited for a load (ModelClient counts it against OLLAMA_MAX_QUEUE).
        Assert.Contains(http.Events, e => e.Name == "ollm.queued");
        // The model grain's stream, as the silo received it (Orleans' own span, parented across the call).
        Assert.Contains(spans, s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && s.Kind == ActivityKind.Server
            && s.DisplayName.StartsWith("IAsyncEnumerableGrainExtension/StartEnumeration", StringComparison.Ordinal));
        var placement = Assert.Single(spans, s => s.OperationName == "ollm.placement");
        Assert.NotNull(placement.GetTagItem("ollm.placement.silo"));
        Assert.NotNull(placement.GetTagItem("ollm.placement.reason"));
        var modelRequest = Assert.Single(spans, s => s.OperationName == "ollm.model.request");
        Assert.Equal("miss", modelRequest.GetTagItem("ollm.cache"));
        Assert.Equal(["queued", "started", "first_token"], modelRequest.Events.Select(e => e.Name).ToArray());
        var load = Assert.Single(spans, s => s.OperationName == "ollm.model.load");
        Assert.Equal(modelRequest.SpanId, load.ParentSpanId);
        // The GPU silo's answer is a grain call inside the load.
        Assert.Contains(spans, s => s.DisplayName == "IGpuSiloGrain/AcquireLoad" && s.ParentSpanId == load.SpanId);
        Assert.True(spans.Count >= 5, names);
    }

    [Fact]
    public async Task A_request_without_a_traceparent_starts_a_trace_of_its_own_through_the_grain()
    {
        using var response = await server.Http.PostAsync("/api/generate", new StringContent("""{"model":"demo","prompt":"again","stream":false,"options":{"num_predict":2}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Activity? Http() => server.Spans.Ended.LastOrDefault(s => s.Source.Name == "Microsoft.AspNetCore" && s.GetTagItem("url.path") as string == "/api/generate" && s.ParentSpanId == default);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Http() is null && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        var http = Http();
        Assert.NotNull(http);
        Assert.Contains(server.Spans.Ended, s => s.TraceId == http.TraceId && s.OperationName == "ollm.model.request");
    }
}
