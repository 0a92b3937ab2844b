using System.Globalization;
using System.Text.Json;
using static OrleansLlm.Inference.Grammars.SchemaKeywords;

namespace OrleansLlm.Inference.Grammars;

/// <summary>Integers within <c>minimum</c>/<c>maximum</c> (and the exclusive ones), as ranges of decimal digits.</summary>
internal sealed partial class SchemaRules
{
    /// <summary>The integer primitive writes at most 16 digits; an open bound stops there too.</summary>
    private const long Widest = 9_999_999_999_999_999;

    /// <summary>A number's bounds; only integers have a grammar for them (a decimal's digits have no end to range over).</summary>
    private string NumberExpression(string type, JsonElement schema, string path)
    {
        var bound = Constraining(schema).FirstOrDefault(NumberKeywords.Contains);
        if (bound is null)
            return type;
        if (type != "integer")
            throw Error($"keyword '{bound}' on a number that need not be an integer is not supported (use \"type\": \"integer\")", path);
        var low = Bound(schema, "minimum", "exclusiveMinimum", path, lower: true) ?? -Widest;
        var high = Bound(schema, "maximum", "exclusiveMaximum", path, lower: false) ?? Widest;
        if (high < low)
            throw Error($"no integer lies between the bounds {low} and {high}", path);
        var parts = new List<string>();
        if (low < 0)
            parts.Add($"\"-\" {Digits(Math.Max(1, -Math.Min(high, -1)), -low)}");
        if (high >= 0)
            parts.Add(Digits(Math.Max(low, 0), high));
        return _rules.Add("integer", $"({string.Join(" | ", parts)}) ws");
    }

    /// <summary>The tightest integer bound from the inclusive and exclusive keywords (draft 4's boolean exclusive ones too).</summary>
    private static long? Bound(JsonElement schema, string inclusive, string exclusive, string path, bool lower)
    {
        long? result = null;
        var draft4Exclusive = schema.TryGetProperty(exclusive, out var flag) && flag.ValueKind is JsonValueKind.True or JsonValueKind.False;
        if (schema.TryGetProperty(inclusive, out var value))
        {
            var number = Number(value, inclusive, path);
            var strict = draft4Exclusive && flag.ValueKind == JsonValueKind.True;
            result = ToLong(Nearest(number, strict, lower), inclusive, path);
        }
        if (!draft4Exclusive && schema.TryGetProperty(exclusive, out var open))
        {
            var number = Number(open, exclusive, path);
            var bound = ToLong(Nearest(number, strict: true, lower), exclusive, path);
            result = result is null ? bound : lower ? Math.Max(result.Value, bound) : Math.Min(result.Value, bound);
        }
        return result;
    }

    /// <summary>The integer nearest <paramref name="number"/> on the allowed side of it.</summary>
    private static decimal Nearest(decimal number, bool strict, bool lower) => (strict, lower) switch
    {
        (false, true) => Math.Ceiling(number),
        (false, false) => Math.Floor(number),
        (true, true) => Math.Floor(number) + 1,
        (true, false) => Math.Ceiling(number) - 1,
    };

    private static decimal Number(JsonElement value, string keyword, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number) ? number : throw Error($"'{keyword}' must be a number", path);

    private static long ToLong(decimal value, string keyword, string path) =>
        Math.Abs(value) <= Widest ? (long)value : throw Error($"'{keyword}' of {value} is beyond the 16 digits an integer may have here", path);

    /// <summary>The decimal numerals from <paramref name="low"/> to <paramref name="high"/> (both at least 0), without leading zeros.</summary>
    private static string Digits(long low, long high)
    {
        var options = new List<string>();
        for (var length = Length(low); length <= Length(high); length++)
        {
            var from = Math.Max(low, length == 1 ? 0 : Pow10(length - 1));
            var to = Math.Min(high, Pow10(length) - 1);
            options.Add(SameLength(from.ToString(CultureInfo.InvariantCulture), to.ToString(CultureInfo.InvariantCulture)));
        }
        return options.Count == 1 ? options[0] : $"({string.Join(" | ", options)})";
    }

    /// <summary>
    /// The numerals from <paramref name="low"/> to <paramref name="high"/>, both of one length: a
    /// shared first digit and the rest; or the low first digit with anything from the rest of low
    /// up, the digits between with anything, and the high first digit with anything up to the rest of high.
    /// </summary>
    private static string SameLength(string low, string high)
    {
        if (low.Length == 1)
            return low == high ? $"\"{low}\"" : $"[{low}-{high}]";
        if (low[0] == high[0])
            return $"\"{low[0]}\" {SameLength(low[1..], high[1..])}";
        var rest = low.Length - 1;
        var options = new List<string>();
        var first = low[0];
        var last = high[0];
        if (low[1..] != new string('0', rest))
        {
            options.Add($"\"{low[0]}\" {SameLength(low[1..], new string('9', rest))}");
            first++;
        }
        var highIsTop = high[1..] == new string('9', rest);
        if (!highIsTop)
            last--;
        if (first <= last)
            options.Add($"{(first == last ? $"\"{first}\"" : $"[{first}-{last}]")} {Any(rest)}");
        if (!highIsTop)
            options.Add($"\"{high[0]}\" {SameLength(new string('0', rest), high[1..])}");
        return options.Count == 1 ? options[0] : $"({string.Join(" | ", options)})";
    }

    private static string Any(int digits) => digits == 1 ? "[0-9]" : $"[0-9]{{{digits}}}";

    private static int Length(long value) => value.ToString(CultureInfo.InvariantCulture).Length;

    private static long Pow10(int exponent)
    {
        var result = 1L;
        for (var i = 0; i < exponent; i++)
            result *= 10;
        return result;
    }
}
