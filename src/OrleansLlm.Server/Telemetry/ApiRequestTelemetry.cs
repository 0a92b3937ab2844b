using System.Runtime.CompilerServices;
using OrleansLlm.Abstractions.Models;

namespace OrleansLlm.Server.Telemetry;

/// <summary>
/// What one API request measured on its way, kept in its <see cref="HttpContext"/> features by
/// <see cref="ApiMetricsFilter"/>, which records it once when the request ends. Endpoints tell it
/// the model and pass their generation stream through <see cref="Observe"/>.
/// </summary>
internal sealed class ApiRequestTelemetry(string operation, string endpoint, TimeProvider clock)
{
    /// <summary><c>gen_ai.operation.name</c>: <c>chat</c>, <c>text_completion</c> or <c>embeddings</c>.</summary>
    public string Operation { get; } = operation;

    /// <summary>The route that served it (<c>/api/chat</c>, <c>/v1/chat/completions</c>).</summary>
    public string Endpoint { get; } = endpoint;

    private readonly long _startedAt = clock.GetTimestamp();

    /// <summary>Time since the request reached its endpoint.</summary>
    public TimeSpan Elapsed => clock.GetElapsedTime(_startedAt);

    /// <summary>The model the request named; null until its body was read.</summary>
    public string? Model { get; set; }

    public TimeSpan? TimeToFirstToken { get; private set; }

    public int? InputTokens { get; set; }

    public int? OutputTokens { get; set; }

    /// <summary>Set when the request failed, including after its response started (a stream's error line).</summary>
    public string? ErrorType { get; set; }

    /// <summary>The request's telemetry, or null on an endpoint that records none.</summary>
    public static ApiRequestTelemetry? Of(HttpContext http) => http.Features.Get<ApiRequestTelemetry>();

    /// <summary>The request's generation stream, observed when the request records telemetry.</summary>
    public static IAsyncEnumerable<GenerationEvent> Observed(HttpContext http, IAsyncEnumerable<GenerationEvent> events) =>
        Of(http)?.Observe(events) ?? events;

    /// <summary>Passes <paramref name="events"/> through, noting the first token, the token counts, and a failure.</summary>
    public async IAsyncEnumerable<GenerationEvent> Observe(IAsyncEnumerable<GenerationEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var tokens = 0;
        await using var enumerator = events.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync())
                    break;
            }
            catch (Exception e)
            {
                ErrorType = ErrorTypeOf(e);
                throw;
            }
            var item = enumerator.Current;
            if (item.Kind == GenerationEventKind.Token)
            {
                TimeToFirstToken ??= Elapsed;
                tokens++;
            }
            else if (item.Kind == GenerationEventKind.Done)
            {
                InputTokens = item.Stats?.PromptEvalCount;
                OutputTokens = item.Stats is { EvalCount: > 0 } stats ? stats.EvalCount : tokens;
            }
            yield return item;
        }
    }

    /// <summary><c>error.type</c>: the exception's canonical name, as the conventions ask (low cardinality: our exception types).</summary>
    public static string ErrorTypeOf(Exception e) => e.GetType().FullName ?? e.GetType().Name;
}
