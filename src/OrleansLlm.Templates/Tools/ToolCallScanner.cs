using System.Text.Json;
using OrleansLlm.Templates.Json;
using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Templates.Tools;

/// <summary>
/// Reads tool calls from the text after a tool-call tag: JSON objects or arrays one after another
/// (<c>{"name": …, "arguments": {…}}</c>, <c>parameters</c> as an alias, <c>{"function": {…}}</c>,
/// arguments as a JSON string), skipping repeated tags, closing tags and whitespace between them.
/// </summary>
internal static class ToolCallScanner
{
    /// <summary>
    /// Calls read from <paramref name="text"/>: <c>Consumed</c> is how far complete calls reach;
    /// <c>Malformed</c> when something that is not a call stands where one should.
    /// </summary>
    public static (List<ToolCall> Calls, int Consumed, bool Malformed) Scan(string text, string tag, int firstIndex)
    {
        var calls = new List<ToolCall>();
        var at = 0;
        while (true)
        {
            var start = SkipSeparators(text, at, tag);
            if (start >= text.Length)
                return (calls, at, false);
            if (text[start] is not ('{' or '['))
                return (calls, at, true);
            var end = JsonEnd(text, start);
            if (end < 0)
                return (calls, at, false);
            var found = Read(text[start..end], firstIndex + calls.Count);
            if (found is null)
                return (calls, at, true);
            calls.AddRange(found);
            at = end;
        }
    }

    private static int SkipSeparators(string text, int at, string tag)
    {
        while (at < text.Length)
        {
            if (char.IsWhiteSpace(text[at]))
                at++;
            else if (tag != "{" && string.CompareOrdinal(text, at, tag, 0, tag.Length) == 0)
                at += tag.Length;
            else if (text[at] == '<' && text.IndexOf('>', at) is var close and > 0 && text[at..(close + 1)] is var element
                     && element.StartsWith("</", StringComparison.Ordinal) && !element.Contains(' ', StringComparison.Ordinal))
                at = close + 1;
            else
                break;
        }
        return at;
    }

    /// <summary>The index after the JSON value starting at <paramref name="start"/>, or -1 when it is not complete yet.</summary>
    private static int JsonEnd(string text, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                    i++;
                else if (c == '"')
                    inString = false;
                continue;
            }
            switch (c)
            {
                case '"': inString = true; break;
                case '{' or '[': depth++; break;
                case '}' or ']':
                    if (--depth == 0)
                        return i + 1;
                    break;
            }
        }
        return -1;
    }

    private static List<ToolCall>? Read(string json, int index)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var calls = new List<ToolCall>();
            var items = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.EnumerateArray().ToList() : [document.RootElement];
            foreach (var item in items)
            {
                if (Call(item, index + calls.Count) is not { } call)
                    return null;
                calls.Add(call);
            }
            return calls.Count == 0 ? null : calls;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ToolCall? Call(JsonElement item, int index)
    {
        if (item.ValueKind != JsonValueKind.Object)
            return null;
        if (item.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
            return Call(function, index);
        if (!item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(name.GetString()))
            return null;
        var arguments = Arguments(item, "arguments") ?? Arguments(item, "parameters") ?? new Dictionary<string, object?>(StringComparer.Ordinal);
        return new ToolCall(name.GetString()!, arguments) { Index = index };
    }

    private static Dictionary<string, object?>? Arguments(JsonElement item, string property)
    {
        if (!item.TryGetProperty(property, out var value))
            return null;
        if (value.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var inner = JsonDocument.Parse(value.GetString()!);
                return JsonValues.From(inner.RootElement) as Dictionary<string, object?>;
            }
            catch (JsonException)
            {
                return null;
            }
        }
        return JsonValues.From(value) as Dictionary<string, object?>;
    }
}
