using System.Globalization;
using System.Text;

namespace OrleansLlm.Templates.GoTemplates;

/// <summary>text/template's <c>html</c>, <c>js</c> and <c>urlquery</c> escapers.</summary>
internal static class GoEscapes
{
    public static string Html(string s)
    {
        var text = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            text.Append(c switch
            {
                '"' => "&#34;",
                '\'' => "&#39;",
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '\0' => "\uFFFD",
                _ => c.ToString(),
            });
        }
        return text.ToString();
    }

    public static string Js(string s)
    {
        var text = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': text.Append("\\\\"); break;
                case '\'': text.Append("\\'"); break;
                case '"': text.Append("\\\""); break;
                case '<' or '>' or '&' or '=' or < ' ' or '\u007F':
                    text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    break;
                default: text.Append(c); break;
            }
        }
        return text.ToString();
    }

    /// <summary>url.QueryEscape: unreserved characters kept, space as <c>+</c>, the rest <c>%XX</c> of UTF-8.</summary>
    public static string UrlQuery(string s)
    {
        var text = new StringBuilder(s.Length);
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
                text.Append(c);
            else if (c == ' ')
                text.Append('+');
            else
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }
}
