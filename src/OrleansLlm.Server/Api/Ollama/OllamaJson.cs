using System.Text.Json;

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

    /// <summary>The request body as a JSON object; anything else is a <see cref="BadRequestException"/>.</summary>
    public static async Task<JsonElement> ReadBody(HttpRequest request)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new BadRequestException("request body must be a JSON object");
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"invalid JSON: {e.Message}");
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
}
