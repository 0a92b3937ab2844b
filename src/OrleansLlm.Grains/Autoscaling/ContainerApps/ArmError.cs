using System.Text.Json;

namespace OrleansLlm.Grains.Autoscaling.ContainerApps;

/// <summary>ARM's error, <c>{"error":{"code":…,"message":…}}</c> (ARM RPC: error response content), or what the body was instead.</summary>
internal sealed record ArmError(string Code, string Message)
{
    public override string ToString() => $"{Code}: {Message}";

    public static ArmError From(int status, string? reason, BinaryData? body)
    {
        var text = body?.ToString() ?? "";
        try
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            // Most providers wrap it in "error"; an operation status document carries it the same way.
            var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var inner) ? inner : root;
            if (error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String)
            {
                var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                return new ArmError(code.GetString()!, message ?? "(no message)");
            }
        }
        catch (JsonException)
        {
            // Not JSON: a proxy's or gateway's page; its first line is still worth showing.
        }
        var firstLine = text.Split('\n', 2)[0].Trim();
        return new ArmError($"HTTP{status}", firstLine.Length > 0 ? firstLine[..Math.Min(firstLine.Length, 300)] : reason ?? "(no body)");
    }
}
