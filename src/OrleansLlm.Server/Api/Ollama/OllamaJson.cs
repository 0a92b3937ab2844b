using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OrleansLlm.Server.Api.Ollama;

/// <summary>Reading Ollama request bodies field by field, so that a wrong type is a 400 naming the field.</summary>
internal static class OllamaJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        // Generated text goes out as written ("+", "<", non-ASCII), as Ollama writes it.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<(JsonElement Body, IResult? Error)> ReadBody(HttpRequest request)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return (default, Error(400, "request body must be a JSON object"));
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            return (default, Error(400, $"invalid JSON: {e.Message}"));
        }
    }

    public static string? String(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()
        : body.TryGetProperty(name, out var wrong) && wrong.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? throw new BadRequestException($"\"{name}\" must be a string")
            : null;

    public static bool? Bool(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.Null ? null
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw new BadRequestException($"\"{name}\" must be a boolean");

    public static JsonElement? Element(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? value : null;

    public static IResult Error(int status, string message) => Results.Json(new { error = ClientErrors.WithoutPaths(message) }, Options, statusCode: status);
}

/// <summary>A request Ollama would answer with 400; the message says which field and why.</summary>
internal sealed class BadRequestException(string message) : Exception(message);
