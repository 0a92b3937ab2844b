using System.Text.Json;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Server.Api.Ollama;

namespace OrleansLlm.Server.Api;

/// <summary>
/// The one reader of generation and chat requests for both APIs: each field read once, in one
/// place per API shape (Ollama's <c>options</c>, <c>format</c> and <c>keep_alive</c>; OpenAI's
/// top-level sampling fields and <c>response_format</c>), messages and tools by
/// <see cref="MessagesReader"/>. Wrong shapes are 400s naming the field.
/// </summary>
internal static class RequestReader
{
    /// <summary>Ollama's <c>/api/generate</c> (<paramref name="chat"/> false) and <c>/api/chat</c>.</summary>
    public static ApiRequest Ollama(JsonElement body, bool chat)
    {
        var name = OllamaJson.String(body, "model") ?? throw new BadRequestException("model is required", "model");
        var options = RequestOptions.Parse(OllamaJson.Element(body, "options"));
        var format = OllamaJson.Element(body, "format") is { } f ? (f.ValueKind == JsonValueKind.String ? f.GetString() : f.GetRawText()) : null;
        if (format is not null && format != "json" && !format.TrimStart().StartsWith('{'))
            throw new BadRequestException($"invalid format \"{format}\": use \"json\" or a JSON schema", "format");
        var request = new GenerateRequest
        {
            Runner = options.Runner,
            Sampling = options.Sampling,
            KeepAlive = KeepAliveParser.FromRequest(OllamaJson.Element(body, "keep_alive")),
            Format = string.IsNullOrEmpty(format) ? null : format,
            Raw = OllamaJson.Bool(body, "raw") ?? false,
        };
        var stream = OllamaJson.Bool(body, "stream") ?? true;
        if (!chat)
        {
            if (OllamaJson.Element(body, "images") is { ValueKind: JsonValueKind.Array } images && images.GetArrayLength() > 0)
                throw new BadRequestException("this model does not support images: it has no vision projector");
            return new ApiRequest(name, request with { Prompt = OllamaJson.String(body, "prompt"), System = OllamaJson.String(body, "system") }) { Stream = stream };
        }
        return Chat(name, request, body, openAi: false) with { Stream = stream };
    }

    /// <summary>OpenAI's <c>/v1/chat/completions</c> and <c>/v1/completions</c>.</summary>
    public static ApiRequest OpenAi(JsonElement body, bool chat)
    {
        var name = OllamaJson.String(body, "model") ?? throw new BadRequestException("you must provide a model parameter", "model");
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
        var stream = OllamaJson.Bool(body, "stream") ?? false;
        if (!chat)
            return new ApiRequest(name, request with { Prompt = OllamaJson.String(body, "prompt") ?? throw new BadRequestException("prompt is required", "prompt"), Raw = true }) { Stream = stream };
        if (OllamaJson.Element(body, "messages") is not { ValueKind: JsonValueKind.Array } messages || messages.GetArrayLength() == 0)
            throw new BadRequestException("messages must be a non-empty array", "messages");
        return Chat(name, request, body, openAi: true) with { Stream = stream };
    }

    private static ApiRequest Chat(string name, GenerateRequest request, JsonElement body, bool openAi)
    {
        var messages = MessagesReader.Messages(body, openAi);
        return new ApiRequest(name, request with { Messages = [.. messages.Select(m => new ChatMessage(m.Role, m.Content))] })
        {
            Messages = messages,
            Tools = MessagesReader.Tools(body),
        };
    }

    private static double? Number(JsonElement body, string name) =>
        OllamaJson.Element(body, name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Number } n => n.GetDouble(),
            _ => throw new BadRequestException($"'{name}' must be a number", name),
        };
}
