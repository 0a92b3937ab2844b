using System.Text;
using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Templates.Tools;

/// <summary>
/// Tool-call parsing over a stream of pieces: text goes out as it comes until the tool-call tag
/// (or, before any text, a JSON object) appears; from there the output is held and each call is
/// released as soon as its JSON is complete, as Ollama streams them. A tag only partly arrived, or
/// leading whitespace, is held until it is clear what follows. Output that never becomes a call
/// goes out as content at the end.
/// </summary>
public sealed class ToolCallStream(string tag)
{
    private readonly StringBuilder _pending = new();
    private readonly StringBuilder _raw = new();
    private bool _sentText;
    private bool _calling;
    private int _callCount;

    /// <summary>Whether the output has turned into tool calls.</summary>
    public bool Calling => _calling;

    /// <summary>Adds a piece of output; returns the content to send now and any calls now complete.</summary>
    public ToolCallOutput Add(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        _pending.Append(piece);
        if (_calling)
        {
            _raw.Append(piece);
            return new ToolCallOutput("", TakeCalls());
        }
        var text = _pending.ToString();
        if (ToolCallParser.Start(text, tag) is { } start && (start.ByTag || !_sentText))
        {
            _calling = true;
            _raw.Append(text, start.ContentEnd, text.Length - start.ContentEnd);
            _pending.Clear().Append(text, start.CallsAt, text.Length - start.CallsAt);
            return new ToolCallOutput(text[..start.ContentEnd], TakeCalls());
        }
        var send = text[..(text.Length - Held(text))];
        if (!_sentText && string.IsNullOrWhiteSpace(send))
            return new ToolCallOutput("", []);
        _sentText = true;
        _pending.Remove(0, send.Length);
        return new ToolCallOutput(send, []);
    }

    /// <summary>Ends the stream: the last calls, and whatever is held as content.</summary>
    public ToolCallOutput Finish()
    {
        var text = _pending.ToString();
        _pending.Clear();
        if (!_calling)
            return new ToolCallOutput(text, []);
        var (calls, consumed, _) = ToolCallScanner.Scan(text, tag, _callCount);
        _callCount += calls.Count;
        if (_callCount == 0)
            return new ToolCallOutput(_raw.ToString(), []);
        return new ToolCallOutput(ToolCallParser.TrimClosers(text[consumed..], tag), calls);
    }

    private List<ToolCall> TakeCalls()
    {
        var text = _pending.ToString();
        var (calls, consumed, _) = ToolCallScanner.Scan(text, tag, _callCount);
        _callCount += calls.Count;
        _pending.Remove(0, consumed);
        return calls;
    }

    /// <summary>How many trailing characters might be the start of the tag.</summary>
    private int Held(string text)
    {
        if (tag == "{")
            return 0;
        for (var length = Math.Min(tag.Length - 1, text.Length); length > 0; length--)
        {
            if (text.EndsWith(tag[..length], StringComparison.Ordinal))
                return length;
        }
        return 0;
    }
}
