using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Server.Api.Ollama;
using OrleansLlm.Server.Catalog;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Gguf;
using OrleansLlm.Server.Templates;
using OrleansLlm.Templates.GoTemplates;
using OrleansLlm.Templates.Tools;

namespace OrleansLlm.Server.Api.OpenAi;

/// <summary>OpenAI's API over the cluster: chat and text completions (SSE streaming), embeddings, models.</summary>
public static class OpenAiApi
{
    // OpenAI writes nulls ("finish_reason": null) where Ollama leaves fields out.
    private static readonly JsonSerializerOptions Json = new(OllamaJson.Options)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };

    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/chat/completions", (HttpContext http, ModelCatalog catalog, ModelClient models, ModelTemplates templates) => Complete(http, catalog, models, templates, chat: true));
        app.MapPost("/v1/completions", (HttpContext http, ModelCatalog catalog, ModelClient models, ModelTemplates templates) => Complete(http, catalog, models, templates, chat: false));
        app.MapPost("/v1/embeddings", Embeddings);
        app.MapGet("/v1/models", (ModelCatalog catalog) => Results.Json(new
        {
            @object = "list",
            data = catalog.List().Select(m => Model(m.Name, m.File)),
        }));
        app.MapGet("/v1/models/{*id}", (string id, ModelCatalog catalog) =>
            catalog.Resolve(id) is { } path ? Results.Json(Model(id, new FileInfo(path))) : Error(404, $"model '{id}' not found", "invalid_request_error", "model_not_found"));
        return app;
    }

    private static object Model(string name, FileInfo file) => new
    {
        id = name,
        @object = "model",
        created = new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeSeconds(),
        owned_by = "orleansllm",
    };

    private static async Task Complete(HttpContext http, ModelCatalog catalog, ModelClient models, ModelTemplates templates, bool chat)
    {
        var (body, bad) = await OllamaJson.ReadBody(http.Request);
        if (bad is not null)
        {
            await Error(400, "request body must be valid JSON", "invalid_request_error", null).ExecuteAsync(http);
            return;
        }
        string name, path;
        GenerateRequest request;
        string? toolTag = null;
        bool stream, usage;
        try
        {
            name = OllamaJson.String(body, "model") ?? throw new BadRequestException("you must provide a model parameter");
            path = catalog.Resolve(name) ?? throw new ModelNotFoundException(name);
            request = ReadRequest(body, chat);
            if (chat)
                (request, toolTag) = TemplatedPrompt.ForChat(name, path, templates, request, body, openAi: true);
            stream = OllamaJson.Bool(body, "stream") ?? false;
            usage = OllamaJson.Element(body, "stream_options") is { ValueKind: JsonValueKind.Object } so && OllamaJson.Bool(so, "include_usage") == true;
        }
        catch (Exception e) when (e is BadRequestException or InvalidOptionsException)
        {
            await Error(400, e.Message, "invalid_request_error", null).ExecuteAsync(http);
            return;
        }
        catch (ModelNotFoundException e)
        {
            await Error(404, e.Message, "invalid_request_error", "model_not_found").ExecuteAsync(http);
            return;
        }
        catch (Exception e) when (e is GgufFormatException or IOException or TemplateException)
        {
            await Error(500, e.Message, "server_error", null).ExecuteAsync(http);
            return;
        }

        var id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N")[..24];
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var kind = chat ? "chat.completion" : "text_completion";
        var text = new StringBuilder();
        var tools = toolTag is null ? null : new ToolCallStream(toolTag);
        var called = false;
        var started = false;
        try
        {
            await foreach (var item in models.GenerateAsync(path, request, http.RequestAborted))
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
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (!started)
        {
            var (status, type) = e switch
            {
                ServerBusyException => (503, "server_error"),
                ArgumentException => (400, "invalid_request_error"),
                _ => (500, "server_error"),
            };
            await Error(status, e.Message, type, null).ExecuteAsync(http);
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
            await http.Response.WriteAsync("data: " + JsonSerializer.Serialize(value, Json) + "\n\n", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
    }

    private static GenerateRequest ReadRequest(JsonElement body, bool chat)
    {
        var sampling = SamplingOptions.Default with
        {
            NumPredict = (int?)Number(body, "max_tokens") ?? (int?)Number(body, "max_completion_tokens") ?? -1,
            Temperature = (float?)Number(body, "temperature") ?? 1.0f,
            TopP = (float?)Number(body, "top_p") ?? 1.0f,
            Seed = (int?)Number(body, "seed") ?? -1,
            FrequencyPenalty = (float?)Number(body, "frequency_penalty") ?? 0,
            PresencePenalty = (float?)Number(body, "presence_penalty") ?? 0,
            Stop = OllamaJson.Element(body, "stop") switch
            {
                { ValueKind: JsonValueKind.String } one => [one.GetString()!],
                { ValueKind: JsonValueKind.Array } many => [.. many.EnumerateArray().Select(e => e.GetString() ?? "")],
                _ => [],
            },
        };
        var format = OllamaJson.Element(body, "response_format") is { ValueKind: JsonValueKind.Object } rf
            ? OllamaJson.String(rf, "type") switch
            {
                "json_object" => "json",
                "json_schema" when OllamaJson.Element(rf, "json_schema") is { } js && OllamaJson.Element(js, "schema") is { } schema => schema.GetRawText(),
                _ => null,
            }
            : null;
        var request = new GenerateRequest { Sampling = sampling, Format = format };
        if (!chat)
            return request with { Prompt = OllamaJson.String(body, "prompt") ?? throw new BadRequestException("prompt is required"), Raw = true };
        if (OllamaJson.Element(body, "messages") is not { ValueKind: JsonValueKind.Array } messages || messages.GetArrayLength() == 0)
            throw new BadRequestException("messages must be a non-empty array");
        return request with
        {
            Messages = [.. messages.EnumerateArray().Select(m => new ChatMessage(
                OllamaJson.String(m, "role") ?? "user",
                OllamaJson.Element(m, "content") switch
                {
                    { ValueKind: JsonValueKind.String } s => s.GetString()!,
                    { ValueKind: JsonValueKind.Array } parts => string.Concat(parts.EnumerateArray().Where(p => OllamaJson.String(p, "type") == "text").Select(p => OllamaJson.String(p, "text"))),
                    _ => "",
                }))],
        };
    }

    private static double? Number(JsonElement body, string name) =>
        OllamaJson.Element(body, name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Number } n => n.GetDouble(),
            _ => throw new BadRequestException($"'{name}' must be a number"),
        };

    private static async Task<IResult> Embeddings(HttpContext http, ModelCatalog catalog, ModelClient models)
    {
        var (body, bad) = await OllamaJson.ReadBody(http.Request);
        if (bad is not null)
            return Error(400, "request body must be valid JSON", "invalid_request_error", null);
        var name = OllamaJson.String(body, "model");
        if (name is null)
            return Error(400, "you must provide a model parameter", "invalid_request_error", null);
        if (catalog.Resolve(name) is not { } path)
            return Error(404, $"model '{name}' not found", "invalid_request_error", "model_not_found");
        string[] inputs = OllamaJson.Element(body, "input") switch
        {
            { ValueKind: JsonValueKind.String } one => [one.GetString()!],
            { ValueKind: JsonValueKind.Array } many when many.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => [.. many.EnumerateArray().Select(e => e.GetString()!)],
            _ => [],
        };
        if (inputs.Length == 0)
            return Error(400, "input must be a string or an array of strings", "invalid_request_error", null);
        var result = await models.EmbedAsync(path, new EmbedRequest { Inputs = inputs }, http.RequestAborted);
        return Results.Json(new
        {
            @object = "list",
            data = result.Embeddings.Select((e, i) => new { @object = "embedding", embedding = e, index = i }),
            model = name,
            usage = new { prompt_tokens = inputs.Sum(i => i.Length / 4 + 1), total_tokens = inputs.Sum(i => i.Length / 4 + 1) },
        });
    }

    private static IResult Error(int status, string message, string type, string? code) =>
        Results.Json(new { error = new { message = ClientErrors.WithoutPaths(message), type, param = (string?)null, code } }, statusCode: status);
}
