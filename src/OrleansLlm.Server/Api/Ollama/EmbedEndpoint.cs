using System.Text.Json;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Server.Telemetry;

namespace OrleansLlm.Server.Api.Ollama;

/// <summary><c>POST /api/embed</c> (batch, <c>input</c>) and the legacy <c>POST /api/embeddings</c> (one <c>prompt</c>).</summary>
internal static class EmbedEndpoint
{
    public static async Task<IResult> Handle(HttpContext http, ModelCatalog catalog, ModelClient models, bool legacy)
    {
        var body = await OllamaJson.ReadBody(http.Request);
        var name = OllamaJson.String(body, "model") ?? throw new BadRequestException("model is required", "model");
        ApiRequestTelemetry.Of(http)?.Model = name;
        var path = catalog.Resolve(name) ?? throw new ModelNotFoundException(name);
        var request = new EmbedRequest
        {
            Inputs = legacy ? Prompt(body) : Inputs(body),
            Truncate = OllamaJson.Bool(body, "truncate") ?? true,
            Runner = RequestOptions.Parse(OllamaJson.Element(body, "options")).Runner,
            KeepAlive = KeepAliveParser.FromRequest(OllamaJson.Element(body, "keep_alive")),
        };
        var result = await models.EmbedAsync(path, request, http.RequestAborted);
        return legacy
            ? Results.Json(new { embedding = result.Embeddings.Count > 0 ? result.Embeddings[0] : [] }, OllamaJson.Options)
            : Results.Json(new
            {
                model = name,
                embeddings = result.Embeddings,
                total_duration = result.TotalDurationNs,
                load_duration = result.LoadDurationNs,
                prompt_eval_count = request.Inputs.Sum(i => i.Length / 4 + 1),
            }, OllamaJson.Options);
    }

    private static string[] Inputs(JsonElement body) => OllamaJson.Element(body, "input") switch
    {
        null => [],
        { ValueKind: JsonValueKind.String } one => one.GetString() is { Length: > 0 } text ? [text] : [],
        { ValueKind: JsonValueKind.Array } many when many.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
            [.. many.EnumerateArray().Select(e => e.GetString()!)],
        _ => throw new BadRequestException("\"input\" must be a string or an array of strings"),
    };

    private static string[] Prompt(JsonElement body) => OllamaJson.String(body, "prompt") is { Length: > 0 } prompt ? [prompt] : [];
}
