using System.Globalization;
using System.Text.Json;

namespace OrleansLlm.Scheduling.KeepAlive;

/// <summary>Reads <c>keep_alive</c> as Ollama accepts it from a request and from <c>OLLAMA_KEEP_ALIVE</c>.</summary>
public static class KeepAliveParser
{
    /// <summary>
    /// A request's <c>keep_alive</c>: a JSON number of seconds (fractions kept), or a Go duration
    /// string. A bare numeric string such as <c>"10"</c> is an error, as in Ollama. Null or absent
    /// means "not given" (the caller applies the default).
    /// </summary>
    public static KeepAliveDuration? FromRequest(JsonElement? value)
    {
        if (value is not { } element || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return null;
        switch (element.ValueKind)
        {
            case JsonValueKind.Number when element.TryGetDouble(out var seconds) && double.IsFinite(seconds):
                return FromSeconds(seconds);
            case JsonValueKind.String:
                var text = element.GetString()!;
                if (GoDuration.TryParse(text, out var duration, out var error))
                    return KeepAliveDuration.From(duration);
                throw new KeepAliveFormatException($"invalid keep_alive {text}: {error}");
            default:
                throw new KeepAliveFormatException($"invalid keep_alive {element.GetRawText()}: expected a number of seconds or a duration such as \"5m\"");
        }
    }

    /// <summary>
    /// <c>OLLAMA_KEEP_ALIVE</c>: an integer number of seconds or a Go duration; unset or empty is
    /// the 5-minute default. Unlike Ollama, which falls back to 5 minutes silently, an invalid
    /// value is an error: a server should not start with a setting it ignores.
    /// </summary>
    public static KeepAliveDuration FromEnvironment(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return KeepAliveDuration.Default;
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
            return FromSeconds(seconds);
        if (GoDuration.TryParse(value.Trim(), out var duration, out var error))
            return KeepAliveDuration.From(duration);
        throw new KeepAliveFormatException($"invalid OLLAMA_KEEP_ALIVE '{value}': {error}");
    }

    public static KeepAliveDuration FromSeconds(double seconds)
    {
        if (seconds < 0)
            return KeepAliveDuration.Forever;
        return seconds >= TimeSpan.MaxValue.TotalSeconds ? KeepAliveDuration.Forever : KeepAliveDuration.From(TimeSpan.FromSeconds(seconds));
    }
}
