using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Gguf.Files;
using OrleansLlm.Server.Telemetry;
using OrleansLlm.Server.Templates;
using OrleansLlm.Templates.Tools;

namespace OrleansLlm.Server.Api.Ollama;

/// <summary><c>POST /api/generate</c> and <c>POST /api/chat</c>: streaming NDJSON, or one object with <c>"stream": false</c>.</summary>
internal static class GenerateEndpoint
{
    public static async Task Handle(HttpContext http, ModelCatalog catalog, ModelClient models, ModelFileCache files, ILogger<ApiExceptionHandler> logger, bool chat)
    {
        var body = await OllamaJson.ReadBody(http.Request);
        var call = RequestReader.Ollama(body, chat);
        var name = call.Model;
        ApiRequestTelemetry.Of(http)?.Model = name;
        var path = catalog.Resolve(name) ?? throw new ModelNotFoundException(name);
        var (request, toolTag) = chat ? TemplatedPrompt.ForChat(path, files, call) : TemplatedPrompt.ForGenerate(call.Request, body);
        var stream = call.Stream;

        var text = new StringBuilder();
        var tools = toolTag is null ? null : new ToolCallStream(toolTag);
        var started = false;
        try
        {
            await foreach (var item in ApiRequestTelemetry.Observed(http, models.GenerateAsync(path, request, http.RequestAborted)))
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
}
