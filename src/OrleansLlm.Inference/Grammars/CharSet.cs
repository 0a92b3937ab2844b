using System.Text;

namespace OrleansLlm.Inference.Grammars;

/// <summary>
/// A set of Unicode code points as sorted, disjoint, non-adjacent ranges: what one regular
/// expression character (a literal, <c>.</c>, <c>\d</c>, a class) may be.
/// </summary>
internal sealed class CharSet
{
    public const int MaxCodePoint = 0x10FFFF;

    private CharSet(List<(int From, int To)> ranges) => Ranges = ranges;

    public IReadOnlyList<(int From, int To)> Ranges { get; }

    public static CharSet Empty { get; } = new([]);

    public static CharSet All { get; } = new([(0, MaxCodePoint)]);

    public static CharSet Digit { get; } = Of((48, 57));

    public static CharSet Word { get; } = Of((48, 57), (65, 90), (95, 95), (97, 122));

    /// <summary>ECMAScript's <c>\s</c>: white space and line terminators.</summary>
    public static CharSet Space { get; } = Of((9, 13), (32, 32), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF));

    /// <summary>ECMAScript's <c>.</c>: anything but a line terminator.</summary>
    public static CharSet Dot { get; } = Of((10, 10), (13, 13), (0x2028, 0x2029)).Complement();

    public bool IsEmpty => Ranges.Count == 0;

    public static CharSet Single(int c) => Of((c, c));

    public static CharSet Of(params (int From, int To)[] ranges)
    {
        var sorted = ranges.Where(r => r.From <= r.To).OrderBy(r => r.From).ToList();
        var merged = new List<(int From, int To)>();
        foreach (var range in sorted)
        {
            if (merged.Count > 0 && range.From <= merged[^1].To + 1)
                merged[^1] = (merged[^1].From, Math.Max(merged[^1].To, range.To));
            else
                merged.Add(range);
        }
        return new CharSet(merged);
    }

    public CharSet Union(CharSet other) => Of([.. Ranges, .. other.Ranges]);

    public CharSet Complement()
    {
        var result = new List<(int From, int To)>();
        var next = 0;
        foreach (var (from, to) in Ranges)
        {
            if (from > next)
                result.Add((next, from - 1));
            next = to + 1;
        }
        if (next <= MaxCodePoint)
            result.Add((next, MaxCodePoint));
        return new CharSet(result);
    }

    public CharSet Intersect(CharSet other) => Complement().Union(other.Complement()).Complement();

    public CharSet Except(CharSet other) => Intersect(other.Complement());

    public bool Contains(int c) => Ranges.Any(r => r.From <= c && c <= r.To);

    /// <summary>The one code point in the set, or null when it has none or several.</summary>
    public int? SingleOrNull => Ranges.Count == 1 && Ranges[0].From == Ranges[0].To ? Ranges[0].From : null;

    public override bool Equals(object? obj) => obj is CharSet other && Ranges.SequenceEqual(other.Ranges);

    public override int GetHashCode() => Ranges.Aggregate(17, (hash, r) => HashCode.Combine(hash, r.From, r.To));

    private static readonly CharSet Controls = Of((0, 0x1F));
    private static readonly CharSet NeedEscape = Of((0, 0x1F), ('"', '"'), ('\\', '\\'));

    /// <summary>
    /// The JSON text of one character of a string, for a character in this set: unescaped where
    /// JSON allows it; <c>\"</c> and <c>\\</c>; a control character as its short escape or <c>\u00XX</c>.
    /// </summary>
    public string JsonCharsExpression()
    {
        var parts = new List<string>();
        var plain = Except(NeedEscape);
        if (!plain.IsEmpty)
            parts.Add(GbnfText.Class(plain.Ranges));
        if (Contains('"'))
            parts.Add(GbnfText.Literal("\\\""));
        if (Contains('\\'))
            parts.Add(GbnfText.Literal("\\\\"));
        var controls = Intersect(Controls);
        if (!controls.IsEmpty)
        {
            var shortEscapes = new StringBuilder();
            foreach (var (c, letter) in new[] { (8, 'b'), (9, 't'), (10, 'n'), (12, 'f'), (13, 'r') })
            {
                if (controls.Contains(c))
                    shortEscapes.Append(letter);
            }
            if (shortEscapes.Length > 0)
                parts.Add($"{GbnfText.Literal("\\")} [{shortEscapes}]");
            var unicode = new List<string>();
            foreach (var high in new[] { 0, 1 })
            {
                var low = Of([.. controls.Intersect(Of((high * 16, high * 16 + 15))).Ranges
                    .SelectMany(r => Enumerable.Range(r.From, r.To - r.From + 1))
                    .SelectMany(c => HexDigits(c % 16))
                    .Select(d => ((int)d, (int)d))]);
                if (!low.IsEmpty)
                    unicode.Add($"\"{high}\" {GbnfText.Class(low.Ranges)}");
            }
            parts.Add($"{GbnfText.Literal("\\u00")} ({string.Join(" | ", unicode)})");
        }
        return parts.Count == 1 ? parts[0] : "(" + string.Join(" | ", parts) + ")";
    }

    private static IEnumerable<char> HexDigits(int value) => value < 10
        ? [(char)('0' + value)]
        : [(char)('a' + value - 10), (char)('A' + value - 10)];
}
