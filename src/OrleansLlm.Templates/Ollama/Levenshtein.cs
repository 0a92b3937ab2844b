namespace OrleansLlm.Templates.Ollama;

/// <summary>
/// Edit distance with a bound: only distances below <c>limit</c> matter (Ollama accepts a known
/// template under 100 edits), so the computation keeps to the diagonal band of that width —
/// linear in the length, where a full table of two 10,000-character templates would be 10^8 cells.
/// </summary>
internal static class Levenshtein
{
    /// <summary>The distance when it is below <paramref name="limit"/>, else <paramref name="limit"/>.</summary>
    public static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) >= limit)
            return limit;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j < limit ? j : limit;
        for (var i = 1; i <= a.Length; i++)
        {
            var from = Math.Max(1, i - limit);
            var to = Math.Min(b.Length, i + limit);
            current[from - 1] = from == 1 ? Math.Min(i, limit) : limit;
            var best = current[from - 1];
            for (var j = from; j <= to; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                current[j] = Math.Min(value, limit);
                best = Math.Min(best, current[j]);
            }
            if (to < b.Length)
                current[to + 1] = limit;
            if (best >= limit)
                return limit;
            (previous, current) = (current, previous);
        }
        return Math.Min(previous[b.Length], limit);
    }
}
