using OrleansLlm.Abstractions.Autoscaling;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Server.Api.Ollama;

namespace OrleansLlm.Server.Api;

/// <summary>
/// <c>GET /api/autoscaler</c> (ours, not Ollama's): the autoscaler's mode, hosts and recent
/// decisions with their reasons — what the dashboard shows, for scripts and tests.
/// </summary>
internal static class AutoscalerEndpoint
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapAutoscalerApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/autoscaler", async (IGrainFactory grains, ModelCatalog catalog) =>
        {
            try
            {
                var status = await grains.GetGrain<IAutoscalerGrain>(0).GetStatus().WaitAsync(AnswerTimeout);
                return Results.Json(WithModelNames(status, catalog), OllamaJson.Options);
            }
            catch (Exception e) when (ClusterReader.DidNotAnswer(e))
            {
                // No control silo (the autoscaler is off, or its silo is down): say so, not 500.
                return ErrorShape.Ollama.Result(new ApiError(404, "no autoscaler runs in this cluster (OLLM_ROLE=control with OLLM_AUTOSCALER runs one)", "invalid_request_error"));
            }
        });
        return app;
    }

    /// <summary>The status as clients read it (here and on the dashboard): reasons name models as the API does, never by the server's files.</summary>
    public static AutoscalerStatus WithModelNames(AutoscalerStatus status, ModelCatalog catalog) => status with
    {
        Decisions = [.. status.Decisions.Select(d => d with { Reason = ClientErrors.WithoutPaths(d.Reason, catalog.NameOf) })],
        Unmet = [.. status.Unmet.Select(u => ClientErrors.WithoutPaths(u, catalog.NameOf))],
    };
}
