using System.Text.Json;
using OrleansLlm.Server.Api.Ollama;
using OrleansLlm.Server.Api.OpenAi;

namespace OrleansLlm.Server.Api;

/// <summary>
/// How an API writes an <see cref="ApiError"/>: Ollama's <c>{"error":"…"}</c> or OpenAI's
/// <c>{"error":{"message","type","param","code"}}</c>. Each API's route group carries its shape
/// as endpoint metadata, so that <see cref="ApiExceptionHandler"/> answers in the caller's dialect.
/// </summary>
internal sealed class ErrorShape
{
    public static readonly ErrorShape Ollama = new(e => new { error = e.Message }, OllamaJson.Options);

    public static readonly ErrorShape OpenAi = new(
        e => new { error = new { message = e.Message, type = e.OpenAiType, param = e.Param, code = e.OpenAiCode } },
        OpenAiJson.Options);

    private readonly Func<ApiError, object> _body;

    private ErrorShape(Func<ApiError, object> body, JsonSerializerOptions json)
    {
        _body = body;
        Json = json;
    }

    public JsonSerializerOptions Json { get; }

    /// <summary>The error object itself: the whole response body, or one line or event of a stream already under way.</summary>
    public object Body(ApiError error) => _body(error);

    /// <summary>The error as a whole response: its status, <c>Retry-After</c> when there is one, and the body.</summary>
    public IResult Result(ApiError error) => new ErrorResult(this, error);

    private sealed class ErrorResult(ErrorShape shape, ApiError error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (error.RetryAfter is { } after)
                httpContext.Response.Headers.RetryAfter = ErrorMap.RetryAfterHeader(after);
            return Results.Json(shape.Body(error), shape.Json, statusCode: error.Status).ExecuteAsync(httpContext);
        }
    }
}
