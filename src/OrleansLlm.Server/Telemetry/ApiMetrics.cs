using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansLlm.Server.Telemetry;

/// <summary>
/// The HTTP APIs' per-request instruments, named and shaped as OpenTelemetry's GenAI semantic
/// conventions name a model server's (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/):
/// request duration, time to first token and time per output token, in seconds, with the
/// conventions' bucket boundaries. Token counts: the conventions define them for clients only
/// (<c>gen_ai.client.token.usage</c>); the server's twin keeps that metric's unit, buckets and
/// <c>gen_ai.token.type</c> under the server's prefix. Recorded once per request by
/// <see cref="ApiMetricsFilter"/>; created through the host's <see cref="IMeterFactory"/>.
/// </summary>
public sealed class ApiMetrics
{
    public const string MeterName = "OrleansLlm.Api";

    public const string RequestDurationName = "gen_ai.server.request.duration";
    public const string TimeToFirstTokenName = "gen_ai.server.time_to_first_token";
    public const string TimePerOutputTokenName = "gen_ai.server.time_per_output_token";
    public const string TokenUsageName = "gen_ai.server.token.usage";

    /// <summary><c>gen_ai.provider.name</c> (required by the conventions): the server that answered.</summary>
    internal const string ProviderName = "orleansllm";

    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _timePerOutputToken;
    private readonly Histogram<long> _tokens;

    public ApiMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meter = meters.Create(MeterName);
        _duration = Meter.CreateHistogram(RequestDurationName, unit: "s",
            description: "Generative AI server request duration such as time-to-last byte or last output token.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });
        _timeToFirstToken = Meter.CreateHistogram(TimeToFirstTokenName, unit: "s",
            description: "Time to generate first token for successful responses.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0] });
        _timePerOutputToken = Meter.CreateHistogram(TimePerOutputTokenName, unit: "s",
            description: "Time per output token generated after the first token for successful responses.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5] });
        _tokens = Meter.CreateHistogram(TokenUsageName, unit: "{token}",
            description: "Number of input and output tokens of a request.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });
    }

    /// <summary>This host's meter: a listener tells it from another host's meter of the same name (tests run several servers in one process).</summary>
    public Meter Meter { get; }

    /// <summary>One finished request, with what it measured.</summary>
    internal void Record(ApiRequestTelemetry request, TimeSpan duration, int? statusCode)
    {
        var tags = Tags(request, statusCode, tokenType: null);
        _duration.Record(duration.TotalSeconds, tags);
        if (request.ErrorType is not null)
            return; // the token timings are for successful responses only
        if (request.TimeToFirstToken is { } first)
        {
            _timeToFirstToken.Record(first.TotalSeconds, tags);
            // Tokens after the first, over the time after it (the conventions' definition).
            if (request.OutputTokens is > 1 and var output)
                _timePerOutputToken.Record((duration - first).TotalSeconds / (output - 1), tags);
        }
        if (request.InputTokens is { } input)
            _tokens.Record(input, Tags(request, statusCode, "input"));
        if (request.OutputTokens is { } outputTokens)
            _tokens.Record(outputTokens, Tags(request, statusCode, "output"));
    }

    private static TagList Tags(ApiRequestTelemetry request, int? statusCode, string? tokenType)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", request.Operation },
            { "gen_ai.provider.name", ProviderName },
            { "ollm.api.endpoint", request.Endpoint },
        };
        if (request.Model is { } model)
            tags.Add("gen_ai.request.model", model);
        if (statusCode is { } status)
            tags.Add("http.response.status_code", status);
        if (request.ErrorType is { } error)
            tags.Add("error.type", error);
        if (tokenType is not null)
            tags.Add("gen_ai.token.type", tokenType);
        return tags;
    }
}
