namespace OrleansLlm.Inference.Llama;

/// <summary>
/// Holds back generated text that could still become a stop string, so that a stop string is
/// never emitted, even when it arrives split across tokens.
/// </summary>
internal sealed class StopStrings(IReadOnlyList<string> stops)
{
    private string _pending = "";

    /// <summary>Adds text; returns what can be emitted now, and whether a stop string was reached.</summary>
    public (string Emit, bool Stopped) Add(string text)
    {
        if (stops.Count == 0)
            return (text, false);
        _pending += text;
        foreach (var stop in stops)
        {
            var at = _pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0)
            {
                var before = _pending[..at];
                _pending = "";
                return (before, true);
            }
        }
        // Keep the longest tail that is a prefix of some stop string.
        var keep = 0;
        foreach (var stop in stops)
        {
            for (var length = Math.Min(stop.Length - 1, _pending.Length); length > keep; length--)
            {
                if (_pending.EndsWith(stop[..length], StringComparison.Ordinal))
                {
                    keep = length;
                    break;
                }
            }
        }
        var emit = _pending[..^keep];
        _pending = _pending[^keep..];
        return (emit, false);
    }

    /// <summary>What is held back when generation ends without a stop string.</summary>
    public string Flush()
    {
        var rest = _pending;
        _pending = "";
        return rest;
    }
}
