namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// Go's <c>eq</c> and ordering: basic kinds compare within their kind (an int with a float is an
/// error), nil equals only nil, <c>eq</c> is true when the first argument equals any other.
/// </summary>
internal static class Comparison
{
    public static bool Equal(IReadOnlyList<object?> args)
    {
        if (args.Count < 2)
            throw new ArgumentException("missing argument for comparison");
        var first = Values.Normalize(args[0]);
        foreach (var other in args.Skip(1).Select(Values.Normalize))
        {
            if (first is null || other is null)
            {
                if (first is null && other is null)
                    return true;
                continue;
            }
            var equal = (first, other) switch
            {
                (bool a, bool b) => a == b,
                (long a, long b) => a == b,
                (double a, double b) => a == b,
                (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
                (long or double or string or bool, _) or (_, long or double or string or bool) => throw new ArgumentException("incompatible types for comparison"),
                _ => throw new ArgumentException($"non-comparable type {GoFormat.Value(first)}: {Values.TypeName(first)}"),
            };
            if (equal)
                return true;
        }
        return false;
    }

    public static int Compare(object? left, object? right) => (Values.Normalize(left), Values.Normalize(right)) switch
    {
        (long a, long b) => a.CompareTo(b),
        (double a, double b) => a.CompareTo(b),
        (string a, string b) => string.CompareOrdinal(a, b),
        (long or double or string, long or double or string) => throw new ArgumentException("incompatible types for comparison"),
        _ => throw new ArgumentException("invalid type for comparison"),
    };
}
