using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Server.Templates;
using OrleansLlm.Templates.Tools;

namespace OrleansLlm.Server.Api.Ollama;

/// <summary><c>POST /api/generate</c> and <c>POST /api/chat</c>: streaming NDJSON, or one object with <c>"stream": false</c>.</summary>
internal static class GenerateEndpoint
{
    public static async Task Handle(HttpContext http, ModelCatalog catalog, ModelClient models, ModelTemplates templates, ILogger<ApiExceptionHandler> logger, bool chat)
    {
        var body = await OllamaJson.ReadBody(http.Request);
        var name = OllamaJson.String(body, "model") ?? throw new BadRequestException("model is required", "model");
        var path = catalog.Resolve(name) ?? throw new ModelNotFoundException(name);
        var (request, toolTag) = Prepare(name, path, ReadRequest(body, chat), body, templates, chat);
        var stream = OllamaJson.Bool(body, "stream") ?? true;

        var text = new StringBuilder();
        var tools = toolTag is null ? null : new ToolCallStream(toolTag);
        var started = false;
        try
        {
            await foreach (var item in models.GenerateAsync(path, request, http.RequestAborted))
            {
                switch (item.Kind)
                {
                    case GenerationEventKind.Token when stream && tools is not null:
                        await Begin();
                        await WriteParsed(tools.Add(item.Text ?? ""));
                        break;
                    case GenerationEventKind.Token when stream:
                        await Begin();
                        await WriteLine(OllamaResponses.Chunk(name, chat, item.Text ?? ""));
                        break;
                    case GenerationEventKind.Token:
                        text.Append(item.Text);
                        break;
                    case GenerationEventKind.Done when stream:
                        await Begin();
                        if (tools is not null)
                            await WriteParsed(tools.Finish());
                        await WriteLine(OllamaResponses.Final(name, chat, "", item));
                        break;
                    case GenerationEventKind.Done:
                        await Begin();
                        var answer = toolTag is null ? new ToolCallOutput(text.ToString(), []) : ToolCallParser.Parse(text.ToString(), toolTag);
                        await WriteLine(OllamaResponses.Final(name, chat, answer.Content, item, answer.Calls));
                        break;
                }
            }
        }
        catch (Exception e) when (started && !ErrorMap.IsClientGone(e, http))
        {
            // Headers are gone: Ollama reports a mid-stream failure as a final error line.
            var error = ErrorMap.Classify(e);
            ApiExceptionHandler.Log(logger, http, error, e);
            await WriteLine(ErrorShape.Ollama.Body(error));
        }

        async Task Begin()
        {
            if (started)
                return;
            started = true;
            http.Response.StatusCode = 200;
            http.Response.ContentType = stream ? "application/x-ndjson" : "application/json; charset=utf-8";
            await http.Response.StartAsync(http.RequestAborted);
        }

        async Task WriteParsed(ToolCallOutput output)
        {
            // Ollama sends the calls in a chunk of their own once they are complete.
            if (output.Content.Length > 0)
                await WriteLine(OllamaResponses.Chunk(name, chat, output.Content));
            if (output.Calls.Count > 0)
                await WriteLine(OllamaResponses.Chunk(name, chat, "", output.Calls));
        }

        async Task WriteLine(object value)
        {
            await JsonSerializer.SerializeAsync(http.Response.Body, value, OllamaJson.Options, http.RequestAborted);
            await http.Response.Body.WriteAsync("\n"u8.ToArray(), http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
    }

    private static PreparedRequest Prepare(string name, string path, GenerateRequest request, JsonElement body, ModelTemplates templates, bool chat) =>
        chat ? TemplatedPrompt.ForChat(name, path, templates, request, body, openAi: false) : TemplatedPrompt.ForGenerate(request, body);

    private static GenerateRequest ReadRequest(JsonElement body, bool chat)
    {
        var options = RequestOptions.Parse(OllamaJson.Element(body, "options"));
        var format = OllamaJson.Element(body, "format") is { } f ? (f.ValueKind == JsonValueKind.String ? f.GetString() : f.GetRawText()) : null;
        if (format is not null && format != "json" && !format.TrimStart().StartsWith('{'))
            throw new BadRequestException($"invalid format \"{format}\": use \"json\" or a JSON schema");
        var request = new GenerateRequest
        {
            Runner = options.Runner,
            Sampling = options.Sampling,
            KeepAlive = KeepAliveParser.FromRequest(OllamaJson.Element(body, "keep_alive")),
            Format = string.IsNullOrEmpty(format) ? null : format,
            Raw = OllamaJson.Bool(body, "raw") ?? false,
        };
        if (!chat)
        {
            if (OllamaJson.Element(body, "images") is { ValueKind: JsonValueKind.Array } images && images.GetArrayLength() > 0)
                throw new BadRequestException("this model does not support images: it has no vision projector");
            return request with { Prompt = OllamaJson.String(body, "prompt"), System = OllamaJson.String(body, "system") };
        }
        var messages = new List<ChatMessage>();
        if (OllamaJson.Element(body, "messages") is { } list)
        {
            if (list.ValueKind != JsonValueKind.Array)
                throw new BadRequestException("\"messages\" must be an array");
            foreach (var message in list.EnumerateArray())
            {
                if (message.ValueKind != JsonValueKind.Object)
                    throw new BadRequestException("each message must be an object with role and content");
                if (OllamaJson.Element(message, "images") is { ValueKind: JsonValueKind.Array } images && images.GetArrayLength() > 0)
                    throw new BadRequestException("this model does not support images: it has no vision projector");
                messages.Add(new ChatMessage(OllamaJson.String(message, "role") ?? "user", OllamaJson.String(message, "content") ?? ""));
            }
        }
        return request with { Messages = messages };
    }
}
