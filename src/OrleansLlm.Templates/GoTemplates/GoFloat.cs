using System.Globalization;
using System.Text;

namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// Go's shortest float formatting: <c>%v</c> (strconv 'g' with precision 6 for the exponent
/// decision: 100000 but 1e+06) and encoding/json's ('f' unless below 1e-6 or from 1e21 up).
/// </summary>
internal static class GoFloat
{
    public static string Verb(double value)
    {
        if (Special(value) is { } special)
            return special;
        var (negative, digits, point) = Shortest(value);
        var exponent = point - 1;
        var text = digits == "0" ? "0" : exponent < -4 || exponent >= 6 ? Exponent(digits, exponent, cleanNegative: false) : Fixed(digits, point);
        return negative ? "-" + text : text;
    }

    public static string Json(double value)
    {
        if (Special(value) is { } special)
            return special;
        var (negative, digits, point) = Shortest(value);
        var abs = Math.Abs(value);
        var text = digits == "0" ? "0" : abs < 1e-6 || abs >= 1e21 ? Exponent(digits, point - 1, cleanNegative: true) : Fixed(digits, point);
        return negative ? "-" + text : text;
    }

    private static string? Special(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : null;

    /// <summary>The shortest round-trip digits (no leading or trailing zeros) and the decimal point's place.</summary>
    private static (bool Negative, string Digits, int Point) Shortest(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = text.StartsWith('-');
        text = text.TrimStart('-');
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }
        var dot = text.IndexOf('.');
        var point = (dot < 0 ? text.Length : dot) + exponent;
        var digits = text.Replace(".", "", StringComparison.Ordinal);
        var lead = digits.Length - digits.TrimStart('0').Length;
        digits = digits[lead..].TrimEnd('0');
        point -= lead;
        return digits.Length == 0 ? (negative, "0", 1) : (negative, digits, point);
    }

    private static string Fixed(string digits, int point)
    {
        if (point <= 0)
            return "0." + new string('0', -point) + digits;
        if (point >= digits.Length)
            return digits + new string('0', point - digits.Length);
        return digits[..point] + "." + digits[point..];
    }

    private static string Exponent(string digits, int exponent, bool cleanNegative)
    {
        var text = new StringBuilder().Append(digits[0]);
        if (digits.Length > 1)
            text.Append('.').Append(digits, 1, digits.Length - 1);
        text.Append('e').Append(exponent < 0 ? '-' : '+');
        var magnitude = Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
        // Go writes at least two exponent digits; encoding/json then trims e-09 to e-9.
        if (magnitude.Length < 2 && !(cleanNegative && exponent < 0))
            text.Append('0');
        return text.Append(magnitude).ToString();
    }
}
