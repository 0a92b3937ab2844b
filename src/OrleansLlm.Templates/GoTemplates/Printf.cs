using System.Globalization;
using System.Text;

namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// fmt.Sprintf for the verbs templates use (<c>%v %s %q %d %t %f %e %g %x %X %c %o %b %T %%</c>) with
/// flags, width and precision; mistakes print as Go prints them (<c>%!d(string=hi)</c>,
/// <c>%!s(MISSING)</c>, <c>%!(EXTRA int=1)</c>) instead of failing.
/// </summary>
internal static class Printf
{
    // Go's fmt refuses widths and precisions above a million (%!(BADWIDTH)).
    private const int TooLarge = 1_000_000;

    public static string Format(string format, IReadOnlyList<object?> args)
    {
        var text = new StringBuilder();
        var next = 0;
        var i = 0;
        while (i < format.Length)
        {
            var c = format[i++];
            if (c != '%')
            {
                text.Append(c);
                continue;
            }
            if (i >= format.Length)
            {
                text.Append("%!(NOVERB)");
                break;
            }
            bool minus = false, plus = false, zero = false, space = false, sharp = false;
            for (; i < format.Length && format[i] is '-' or '+' or '0' or ' ' or '#'; i++)
            {
                switch (format[i])
                {
                    case '-': minus = true; break;
                    case '+': plus = true; break;
                    case '0': zero = true; break;
                    case ' ': space = true; break;
                    default: sharp = true; break;
                }
            }
            var width = Number(format, ref i);
            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                precision = Number(format, ref i) ?? 0;
            }
            if (width > TooLarge || precision > TooLarge)
            {
                // The verb and its operand go with the bad width, so a huge width never allocates.
                text.Append("%!(BADWIDTH)");
                i = Math.Min(i + 1, format.Length);
                next++;
                continue;
            }
            if (i >= format.Length)
            {
                text.Append("%!(NOVERB)");
                break;
            }
            var verb = format[i++];
            if (verb == '%')
            {
                text.Append('%');
                continue;
            }
            if (next >= args.Count)
            {
                text.Append("%!").Append(verb).Append("(MISSING)");
                continue;
            }
            var arg = Values.Normalize(args[next++]);
            var formatted = Verb(verb, arg, precision, plus, space, sharp);
            Pad(text, formatted, width ?? 0, minus, zero && !minus && arg is long or double);
        }
        if (next < args.Count)
        {
            text.Append("%!(EXTRA ");
            text.AppendJoin(", ", args.Skip(next).Select(a => Values.TypeName(a) + "=" + GoFormat.Value(a)));
            text.Append(')');
        }
        return text.ToString();
    }

    private static string Verb(char verb, object? arg, int? precision, bool plus, bool space, bool sharp)
    {
        var invariant = CultureInfo.InvariantCulture;
        switch (verb, arg)
        {
            case ('v', _):
                return GoFormat.Value(arg);
            case ('T', _):
                return Values.TypeName(arg);
            case ('s', string s):
                return precision is { } p && p < s.Length ? s[..p] : s;
            case ('s', TemplateStruct or TemplateJsonMap or IReadOnlyList<object?> or IReadOnlyDictionary<string, object?>):
                return GoFormat.Value(arg);
            case ('q', string s):
                return sharp && !s.Contains('`') ? "`" + s + "`" : GoFormat.Quote(s);
            case ('q', long l) when l is >= 0 and <= 0x10FFFF && Rune.IsValid((int)l):
                return "'" + GoFormat.Quote(new Rune((int)l).ToString())[1..^1].Replace("'", "\\'", StringComparison.Ordinal) + "'";
            case ('d', long l):
                return Sign(l >= 0, plus, space) + Math.Abs((decimal)l).ToString(invariant);
            case ('t', bool b):
                return b ? "true" : "false";
            case ('f' or 'F', double d):
                return Sign(d >= 0 || double.IsNaN(d), plus, space) + Math.Abs(d).ToString("F" + (precision ?? 6), invariant);
            case ('e' or 'E', double d):
                var e = Exponent(Math.Abs(d), precision ?? 6);
                return Sign(d >= 0, plus, space) + (verb == 'E' ? e.ToUpperInvariant() : e);
            case ('g' or 'G', double d):
                return Sign(d >= 0, plus, space) + GoFloat.Verb(Math.Abs(d));
            case ('x' or 'X', long l):
                var hex = (sharp ? "0x" : "") + Math.Abs(l).ToString("x", invariant);
                return (l < 0 ? "-" : "") + (verb == 'X' ? hex.ToUpperInvariant() : hex);
            case ('x' or 'X', string s):
                var bytes = Convert.ToHexString(Encoding.UTF8.GetBytes(s));
                return verb == 'x' ? bytes.ToLowerInvariant() : bytes;
            case ('o', long l):
                return (l < 0 ? "-" : "") + Convert.ToString(Math.Abs(l), 8);
            case ('b', long l):
                return (l < 0 ? "-" : "") + Convert.ToString(Math.Abs(l), 2);
            case ('c', long l) when l is >= 0 and <= 0x10FFFF && Rune.IsValid((int)l):
                return new Rune((int)l).ToString();
            case (_, null):
                return $"%!{verb}(<nil>)";
            default:
                return $"%!{verb}({Values.TypeName(arg)}={GoFormat.Value(arg)})";
        }
    }

    private static string Sign(bool nonNegative, bool plus, bool space) => !nonNegative ? "-" : plus ? "+" : space ? " " : "";

    /// <summary>Go's <c>%e</c>: one digit, the fraction, and an exponent of at least two digits.</summary>
    private static string Exponent(double value, int precision)
    {
        var text = value.ToString((precision == 0 ? "0" : "0." + new string('0', precision)) + "e+00", CultureInfo.InvariantCulture);
        return text;
    }

    private static void Pad(StringBuilder text, string value, int width, bool left, bool zeros)
    {
        var padding = Math.Max(0, width - value.Length);
        if (padding == 0)
            text.Append(value);
        else if (left)
            text.Append(value).Append(' ', padding);
        else if (zeros && value.StartsWith('-'))
            text.Append('-').Append('0', padding).Append(value, 1, value.Length - 1);
        else
            text.Append(zeros ? '0' : ' ', padding).Append(value);
    }

    private static int? Number(string format, ref int i)
    {
        var start = i;
        long value = 0;
        for (; i < format.Length && char.IsAsciiDigit(format[i]); i++)
            value = Math.Min(value * 10 + (format[i] - '0'), int.MaxValue);
        return i == start ? null : (int)value;
    }
}
