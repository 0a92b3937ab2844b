using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace OrleansLlm.Server.Api;

/// <summary>
/// Answers an exception from any endpoint, before its response has started, through
/// <see cref="ErrorMap"/>, in the shape of the API the endpoint belongs to (Ollama's unless its
/// route group says otherwise). A stream already under way writes its own last line (see the endpoints).
/// </summary>
internal sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (ErrorMap.IsClientGone(exception, httpContext))
            return true;
        var error = ErrorMap.Classify(exception);
        Log(logger, httpContext, error, exception);
        var endpoint = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint();
        var shape = endpoint?.Metadata.GetMetadata<ErrorShape>() ?? ErrorShape.Ollama;
        await shape.Result(error).ExecuteAsync(httpContext);
        return true;
    }

    /// <summary>A server-side failure goes to the log with its whole detail (the client's copy has no paths); a refused request only at debug level.</summary>
    public static void Log(ILogger logger, HttpContext http, ApiError error, Exception exception)
    {
        if (error.IsServerError)
            ServerFailed(logger, http.Request.Method, http.Request.Path, error.Status, exception);
        else
            RequestRefused(logger, http.Request.Method, http.Request.Path, error.Status, error.Message);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} failed with {Status}")]
    private static partial void ServerFailed(ILogger logger, string method, string path, int status, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} refused with {Status}: {Reason}")]
    private static partial void RequestRefused(ILogger logger, string method, string path, int status, string reason);
}
