using System.Globalization;
using System.Text;

namespace OrleansLlm.Templates.GoTemplates;

/// <summary>fmt's <c>%v</c> for template values: <c>[a b]</c>, <c>map[a:1]</c>, <c>{f1 f2}</c>, <c>&lt;nil&gt;</c>, and <c>String()</c> where a type has one.</summary>
internal static class GoFormat
{
    public static string Value(object? value)
    {
        var text = new StringBuilder();
        Append(text, value, 0);
        return text.ToString();
    }

    public static void Append(StringBuilder text, object? value, int depth)
    {
        if (depth > 256)
            throw new InvalidOperationException("value nested too deeply to print");
        switch (Values.Normalize(value))
        {
            case null:
                text.Append("<nil>");
                break;
            case string s:
                text.Append(s);
                break;
            case bool b:
                text.Append(b ? "true" : "false");
                break;
            case long l:
                text.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                text.Append(GoFloat.Verb(d));
                break;
            case TemplateStruct { Stringer: { } stringer }:
                text.Append(stringer());
                break;
            case TemplateStruct s:
                text.Append('{');
                for (var i = 0; i < s.Fields.Count; i++)
                {
                    if (i > 0)
                        text.Append(' ');
                    Append(text, s.Fields[i].Value, depth + 1);
                }
                text.Append('}');
                break;
            case TemplateJsonMap or TemplateJsonList:
                text.Append(GoJson.Marshal(value));
                break;
            case IReadOnlyDictionary<string, object?> map:
                text.Append("map[");
                var first = true;
                foreach (var key in map.Keys.Order(StringComparer.Ordinal))
                {
                    if (!first)
                        text.Append(' ');
                    first = false;
                    text.Append(key).Append(':');
                    Append(text, map[key], depth + 1);
                }
                text.Append(']');
                break;
            case IReadOnlyList<object?> list:
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                        text.Append(' ');
                    Append(text, list[i], depth + 1);
                }
                text.Append(']');
                break;
            case var other:
                text.Append(Convert.ToString(other, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>fmt.Sprint: a space between operands when neither is a string.</summary>
    public static string Sprint(IReadOnlyList<object?> args)
    {
        var text = new StringBuilder();
        for (var i = 0; i < args.Count; i++)
        {
            if (i > 0 && Values.Normalize(args[i]) is not string && Values.Normalize(args[i - 1]) is not string)
                text.Append(' ');
            Append(text, args[i], 0);
        }
        return text.ToString();
    }

    /// <summary>fmt.Sprintln: spaces between all operands and a newline after.</summary>
    public static string Sprintln(IReadOnlyList<object?> args) => string.Join(' ', args.Select(Value)) + "\n";

    /// <summary>strconv.Quote: Go's double-quoted string with escapes for what is not printable.</summary>
    public static string Quote(string s)
    {
        var text = new StringBuilder("\"");
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\a': text.Append("\\a"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\v': text.Append("\\v"); break;
                case < 0x20 or 0x7F: text.Append("\\x").Append(rune.Value.ToString("x2", CultureInfo.InvariantCulture)); break;
                default:
                    if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned)
                        text.Append(rune.Value > 0xFFFF ? "\\U" + rune.Value.ToString("x8", CultureInfo.InvariantCulture) : "\\u" + rune.Value.ToString("x4", CultureInfo.InvariantCulture));
                    else
                        text.Append(rune.ToString());
                    break;
            }
        }
        return text.Append('"').ToString();
    }
}
