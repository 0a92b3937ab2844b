using OrleansLlm.Server.Api;

namespace OrleansLlm.Server.Telemetry;

/// <summary>
/// Records <see cref="ApiMetrics"/> once per request of a generation or embedding endpoint, however
/// it ends: answered, refused before its response (a 503 from the queue bound, a 404, a 400: the
/// status <see cref="ErrorMap"/> gives it), failed mid-stream (the error line the endpoint wrote), or
/// left by its caller.
/// </summary>
internal sealed class ApiMetricsFilter(string operation) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        var endpoint = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value ?? "";
        var request = new ApiRequestTelemetry(operation, endpoint, services.GetService<TimeProvider>() ?? TimeProvider.System);
        http.Features.Set(request);
        int? status = null;
        try
        {
            var result = await next(context);
            // An endpoint that wrote its own response has its status; one that returns a result
            // (embeddings) answers with the result's, 200 unless it says otherwise.
            status = http.Response.HasStarted ? http.Response.StatusCode : (result as IStatusCodeHttpResult)?.StatusCode ?? http.Response.StatusCode;
            return result;
        }
        catch (Exception e)
        {
            request.ErrorType ??= ApiRequestTelemetry.ErrorTypeOf(e);
            // Before its response started the request gets ErrorMap's status; a caller that left gets none.
            status = http.Response.HasStarted ? http.Response.StatusCode : ErrorMap.IsClientGone(e, http) ? null : ErrorMap.Classify(e).Status;
            throw;
        }
        finally
        {
            services.GetRequiredService<ApiMetrics>().Record(request, request.Elapsed, status);
        }
    }
}
