using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Templates.Tools;

/// <summary>
/// Splits a model's output into content and tool calls, after Ollama's tools parser: calls follow
/// the template's tool-call tag (<c>&lt;tool_call&gt;</c>, <c>[TOOL_CALLS]</c>) anywhere in the
/// output, or stand as bare JSON at its start (the only form for templates whose tag is <c>{</c>,
/// and what a <c>format</c>-constrained answer looks like). Output that does not parse as calls is
/// plain content; parsing never throws.
/// </summary>
public static class ToolCallParser
{
    public static ToolCallOutput Parse(string output, string tag)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(tag);
        if (Start(output, tag) is not { } start)
            return new ToolCallOutput(output, []);
        var rest = output[start.CallsAt..];
        var (calls, consumed, _) = ToolCallScanner.Scan(rest, tag, 0);
        if (calls.Count == 0)
            return new ToolCallOutput(output, []);
        var trailing = rest[consumed..];
        var tail = TrimClosers(trailing, tag);
        return new ToolCallOutput(output[..start.ContentEnd] + tail, calls);
    }

    /// <summary>Where calls begin in <paramref name="output"/>, and where the content before them ends.</summary>
    internal static (int ContentEnd, int CallsAt, bool ByTag)? Start(string output, string tag)
    {
        if (tag != "{" && tag.Length > 0)
        {
            var at = output.IndexOf(tag, StringComparison.Ordinal);
            if (at >= 0)
                return (at, at + tag.Length, true);
        }
        var first = 0;
        while (first < output.Length && char.IsWhiteSpace(output[first]))
            first++;
        return first < output.Length && output[first] is '{' or '[' ? (0, first, false) : null;
    }

    /// <summary>Text left after the calls, without the closing tags and whitespace that end them.</summary>
    internal static string TrimClosers(string trailing, string tag)
    {
        var closer = tag.StartsWith('<') ? "</" + tag[1..] : null;
        var text = trailing.TrimStart();
        if (closer is not null && text.StartsWith(closer, StringComparison.Ordinal))
            text = text[closer.Length..].TrimStart();
        return text;
    }
}
