using System.Globalization;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Gguf;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Templates.GoTemplates;

namespace OrleansLlm.Server.Api;

/// <summary>
/// The one place that decides what an exception means to an API client: every endpoint of both
/// APIs throws, and <see cref="ApiExceptionHandler"/> (before a response starts) or the endpoint's
/// stream writer (after) writes what this returns.
/// </summary>
internal static class ErrorMap
{
    /// <summary>
    /// A busy server's <c>Retry-After</c>: the bound counts requests waiting for a model load, and a
    /// place frees as soon as that load starts serving, usually within a second or two.
    /// </summary>
    public static readonly TimeSpan BusyRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>When no GPU host is running, about what one takes to start (a serverless GPU host: about a minute).</summary>
    public static readonly TimeSpan HostRetryAfter = TimeSpan.FromSeconds(30);

    private const string InvalidRequest = "invalid_request_error";
    private const string ServerError = "server_error";

    public static ApiError Classify(Exception exception)
    {
        var message = ClientErrors.WithoutPaths(exception.Message);
        return exception switch
        {
            BadRequestException bad => new ApiError(400, message, InvalidRequest) { Param = bad.Param },
            ModelNotFoundException => new ApiError(404, message, InvalidRequest, "model_not_found") { Param = "model" },
            // Ollama's ErrMaxQueue text, exactly: its clients match on it.
            ServerBusyException => new ApiError(503, ServerBusyException.OllamaMessage, ServerError) { RetryAfter = BusyRetryAfter },
            // No GPU host is running (or none came within OLLM_HOST_WAIT): the fleet is the problem, not the request.
            NoGpuHostException or HostWaitExpiredException => new ApiError(503, message, ServerError) { RetryAfter = HostRetryAfter },
            InvalidOptionsException or KeepAliveFormatException or TemplateException => new ApiError(400, message, InvalidRequest),
            // Raised by a runner over what the request asked for (a format llama.cpp cannot turn into a grammar, say).
            ArgumentException => new ApiError(400, message, InvalidRequest),
            // Kestrel's own refusals (a body over the size limit: 413) keep their status.
            BadHttpRequestException http => new ApiError(http.StatusCode, message, http.StatusCode >= 500 ? ServerError : InvalidRequest),
            // Ollama answers an over-long embedding input without truncate with 400.
            InputTooLongException => new ApiError(400, message, InvalidRequest),
            ModelLoadException or ModelTooLargeException or ModelHostLostException or GgufFormatException => new ApiError(500, message, ServerError),
            _ => new ApiError(500, message, ServerError),
        };
    }

    /// <summary>The client went away: there is no one to answer, and nothing went wrong on our side.</summary>
    public static bool IsClientGone(Exception exception, HttpContext http) =>
        exception is OperationCanceledException or IOException && http.RequestAborted.IsCancellationRequested;

    public static string RetryAfterHeader(TimeSpan after) =>
        Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
