using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Server.Api.Ollama;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Abstractions.Prompts;
using OrleansLlm.Gguf.Files;
using OrleansLlm.Server.Telemetry;
using OrleansLlm.Server.Templates;
using OrleansLlm.Templates.Tools;

namespace OrleansLlm.Server.Api.OpenAi;

/// <summary>OpenAI's API over the cluster: chat and text completions (SSE streaming), embeddings, models.</summary>
public static class OpenAiApi
{
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithMetadata(ErrorShape.OpenAi);
        v1.MapPost("/chat/completions", (HttpContext http, ModelCatalog catalog, ModelClient models, ModelFileCache files, ILogger<ApiExceptionHandler> logger) =>
            Complete(http, catalog, models, files, logger, chat: true)).AddEndpointFilter(new ApiMetricsFilter("chat"));
        v1.MapPost("/completions", (HttpContext http, ModelCatalog catalog, ModelClient models, ModelFileCache files, ILogger<ApiExceptionHandler> logger) =>
            Complete(http, catalog, models, files, logger, chat: false)).AddEndpointFilter(new ApiMetricsFilter("text_completion"));
        v1.MapPost("/embeddings", Embeddings).AddEndpointFilter(new ApiMetricsFilter("embeddings"));
        v1.MapGet("/models", (ModelCatalog catalog) => Results.Json(new
        {
            @object = "list",
            data = catalog.List().Select(m => Model(m.Name, m.File)),
        }));
        v1.MapGet("/models/{*id}", (string id, ModelCatalog catalog) =>
            Results.Json(Model(id, new FileInfo(catalog.Resolve(id) ?? throw new ModelNotFoundException(id)))));
        return app;
    }

    private static object Model(string name, FileInfo file) => new
    {
        id = name,
        @object = "model",
        created = new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeSeconds(),
        owned_by = "orleansllm",
    };

    private static async Task Complete(HttpContext http, ModelCatalog catalog, ModelClient models, ModelFileCache files, ILogger<ApiExceptionHandler> logger, bool chat)
    {
        var body = await OllamaJson.ReadBody(http.Request);
        var call = RequestReader.OpenAi(body, chat);
        var name = call.Model;
        ApiRequestTelemetry.Of(http)?.Model = name;
        var path = catalog.Resolve(name) ?? throw new ModelNotFoundException(name);
        var (request, toolTag) = chat ? TemplatedPrompt.ForChat(path, files, call) : new PreparedRequest(call.Request, null);
        var stream = call.Stream;
        var usage = OllamaJson.Element(body, "stream_options") is { ValueKind: JsonValueKind.Object } so && OllamaJson.Bool(so, "include_usage") == true;

        var id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N")[..24];
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var kind = chat ? "chat.completion" : "text_completion";
        var text = new StringBuilder();
        var tools = toolTag is null ? null : new ToolCallStream(toolTag);
        var called = false;
        var started = false;
        try
        {
            await foreach (var item in ApiRequestTelemetry.Observed(http, models.GenerateAsync(path, request, http.RequestAborted)))
            {
                if (item.Kind == GenerationEventKind.Token)
                {
                    if (!stream)
                    {
                        text.Append(item.Text);
                        continue;
                    }
                    await Begin();
                    if (tools is null)
                        await Event(Chunk(item.Text ?? "", null));
                    else
                        await Parsed(tools.Add(item.Text ?? ""));
                }
                else if (item.Kind == GenerationEventKind.Done)
                {
                    var stats = item.Stats ?? new GenerationStats();
                    var tokens = new { prompt_tokens = stats.PromptEvalCount, completion_tokens = stats.EvalCount, total_tokens = stats.PromptEvalCount + stats.EvalCount };
                    if (!stream)
                    {
                        var answer = toolTag is null ? new ToolCallOutput(text.ToString(), []) : ToolCallParser.Parse(text.ToString(), toolTag);
                        var message = answer.Calls.Count > 0
                            ? (object)new { role = "assistant", content = answer.Content, tool_calls = ToolCallJson.OpenAi(answer.Calls) }
                            : new { role = "assistant", content = answer.Content };
                        var finishReason = answer.Calls.Count > 0 ? "tool_calls" : item.DoneReason == "length" ? "length" : "stop";
                        await Results.Json(new
                        {
                            id, @object = kind, created, model = name,
                            choices = new[] { chat
                                ? (object)new { index = 0, message, finish_reason = finishReason }
                                : new { index = 0, text = answer.Content, finish_reason = finishReason } },
                            usage = tokens,
                        }).ExecuteAsync(http);
                        return;
                    }
                    await Begin();
                    if (tools is not null)
                        await Parsed(tools.Finish());
                    var finish = called ? "tool_calls" : item.DoneReason == "length" ? "length" : "stop";
                    await Event(Chunk("", finish));
                    if (usage)
                        await Event(new { id, @object = kind + ".chunk", created, model = name, choices = Array.Empty<object>(), usage = tokens });
                    await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
                }
            }
        }
        catch (Exception e) when (started && !ErrorMap.IsClientGone(e, http))
        {
            // Headers are gone: OpenAI reports a mid-stream failure as an event holding the error
            // object, which its SDKs raise; no [DONE] follows.
            var error = ErrorMap.Classify(e);
            ApiExceptionHandler.Log(logger, http, error, e);
            await Event(ErrorShape.OpenAi.Body(error));
        }

        object Chunk(string content, string? finish) => chat
            ? new { id, @object = "chat.completion.chunk", created, model = name, choices = new[] { new { index = 0, delta = new { role = "assistant", content }, finish_reason = finish } } }
            : new { id, @object = "text_completion", created, model = name, choices = new[] { new { index = 0, text = content, finish_reason = finish } } };

        async Task Parsed(ToolCallOutput output)
        {
            if (output.Content.Length > 0)
                await Event(Chunk(output.Content, null));
            if (output.Calls.Count == 0)
                return;
            called = true;
            await Event(new
            {
                id, @object = "chat.completion.chunk", created, model = name,
                choices = new[] { new { index = 0, delta = new { role = "assistant", tool_calls = ToolCallJson.OpenAi(output.Calls) }, finish_reason = (string?)null } },
            });
        }

        async Task Begin()
        {
            if (started)
                return;
            started = true;
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            await http.Response.StartAsync(http.RequestAborted);
        }

        async Task Event(object value)
        {
            await http.Response.WriteAsync("data: " + JsonSerializer.Serialize(value, OpenAiJson.Options) + "\n\n", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
    }

    private static async Task<IResult> Embeddings(HttpContext http, ModelCatalog catalog, ModelClient models)
    {
        var body = await OllamaJson.ReadBody(http.Request);
        var name = OllamaJson.String(body, "model") ?? throw new BadRequestException("you must provide a model parameter", "model");
        ApiRequestTelemetry.Of(http)?.Model = name;
        var path = catalog.Resolve(name) ?? throw new ModelNotFoundException(name);
        string[] inputs = OllamaJson.Element(body, "input") switch
        {
            { ValueKind: JsonValueKind.String } one => [one.GetString()!],
            { ValueKind: JsonValueKind.Array } many when many.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => [.. many.EnumerateArray().Select(e => e.GetString()!)],
            _ => [],
        };
        if (inputs.Length == 0)
            throw new BadRequestException("input must be a string or an array of strings", "input");
        var base64 = OllamaJson.String(body, "encoding_format") switch
        {
            null or "float" => false,
            "base64" => true,
            var other => throw new BadRequestException($"encoding_format \"{other}\" is not supported: use \"float\" or \"base64\"", "encoding_format"),
        };
        var result = await models.EmbedAsync(path, new EmbedRequest { Inputs = inputs }, http.RequestAborted);
        return Results.Json(new
        {
            @object = "list",
            data = result.Embeddings.Select((e, i) => new { @object = "embedding", embedding = base64 ? Base64(e) : (object)e, index = i }),
            model = name,
            usage = new { prompt_tokens = inputs.Sum(i => i.Length / 4 + 1), total_tokens = inputs.Sum(i => i.Length / 4 + 1) },
        });
    }

    /// <summary>OpenAI's <c>base64</c> encoding: the float32 values' little-endian bytes (this host's order: x64 and arm64).</summary>
    private static string Base64(float[] embedding) => Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(embedding.AsSpan()));
}
