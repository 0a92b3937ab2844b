using System.Globalization;
using System.Text;

namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// encoding/json's <c>Marshal</c> for template values: map keys sorted, HTML characters escaped
/// (<c>&lt;</c> as <c>\u003c</c>), non-ASCII written as is, floats as Go writes them.
/// </summary>
internal static class GoJson
{
    public static string Marshal(object? value)
    {
        var text = new StringBuilder();
        Write(text, value, 0);
        return text.ToString();
    }

    private static void Write(StringBuilder text, object? value, int depth)
    {
        if (depth > 256)
            throw new InvalidOperationException("json: value nested too deeply");
        switch (Values.Normalize(value))
        {
            case null:
                text.Append("null");
                break;
            case string s:
                Quote(text, s);
                break;
            case bool b:
                text.Append(b ? "true" : "false");
                break;
            case long l:
                text.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                text.Append(GoFloat.Json(d));
                break;
            case TemplateStruct { Json: { } json }:
                Write(text, json, depth + 1);
                break;
            case TemplateStruct s:
                text.Append('{');
                for (var i = 0; i < s.Fields.Count; i++)
                {
                    if (i > 0)
                        text.Append(',');
                    Quote(text, s.Fields[i].Key);
                    text.Append(':');
                    Write(text, s.Fields[i].Value, depth + 1);
                }
                text.Append('}');
                break;
            case IReadOnlyDictionary<string, object?> map:
                text.Append('{');
                var first = true;
                foreach (var key in map.Keys.Order(StringComparer.Ordinal))
                {
                    if (!first)
                        text.Append(',');
                    first = false;
                    Quote(text, key);
                    text.Append(':');
                    Write(text, map[key], depth + 1);
                }
                text.Append('}');
                break;
            case IReadOnlyList<object?> list:
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                        text.Append(',');
                    Write(text, list[i], depth + 1);
                }
                text.Append(']');
                break;
            case var other:
                Quote(text, Convert.ToString(other, CultureInfo.InvariantCulture) ?? "");
                break;
        }
    }

    private static void Quote(StringBuilder text, string s)
    {
        text.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: text.Append(c); break;
            }
        }
        text.Append('"');
    }
}
