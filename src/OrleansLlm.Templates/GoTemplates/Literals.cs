using System.Globalization;
using System.Text;

namespace OrleansLlm.Templates.GoTemplates;

/// <summary>Go's quoted strings and character constants, with strconv.Unquote's escapes.</summary>
internal static class Literals
{
    public static Token Quoted(string source, ref int at, Pos pos, bool space)
    {
        var value = new StringBuilder();
        var i = at + 1;
        while (true)
        {
            if (i >= source.Length || source[i] == '\n')
                throw new TemplateException(pos, "unterminated quoted string");
            var c = source[i];
            if (c == '"')
                break;
            if (c != '\\')
            {
                value.Append(c);
                i++;
                continue;
            }
            i = Escape(source, i, value, pos);
        }
        var token = new Token(TokenKind.String, source[at..(i + 1)], pos, space, value.ToString());
        at = i + 1;
        return token;
    }

    public static Token Character(string source, ref int at, Pos pos, bool space)
    {
        var value = new StringBuilder();
        var start = at;
        var i = at + 1;
        if (i < source.Length && source[i] == '\\')
            i = Escape(source, i, value, pos);
        else if (i < source.Length)
        {
            var rune = Rune.GetRuneAt(source, i);
            value.Append(rune.ToString());
            i += rune.Utf16SequenceLength;
        }
        if (i >= source.Length || source[i] != '\'' || value.Length == 0)
            throw new TemplateException(pos, "unterminated character constant");
        at = i + 1;
        return new Token(TokenKind.Number, source[start..(i + 1)], pos, space, (long)Rune.GetRuneAt(value.ToString(), 0).Value);
    }

    /// <summary>Decodes the escape at <paramref name="i"/> (a backslash) as Go's strconv.Unquote does; returns the index after it.</summary>
    private static int Escape(string source, int i, StringBuilder value, Pos pos)
    {
        if (i + 1 >= source.Length)
            throw new TemplateException(pos, "unterminated quoted string");
        var e = source[i + 1];
        switch (e)
        {
            case 'n': value.Append('\n'); return i + 2;
            case 't': value.Append('\t'); return i + 2;
            case 'r': value.Append('\r'); return i + 2;
            case 'a': value.Append('\a'); return i + 2;
            case 'b': value.Append('\b'); return i + 2;
            case 'f': value.Append('\f'); return i + 2;
            case 'v': value.Append('\v'); return i + 2;
            case '\\' or '"' or '\'': value.Append(e); return i + 2;
            case 'x': return Hex(i + 2, 2);
            case 'u': return Hex(i + 2, 4);
            case 'U': return Hex(i + 2, 8);
            case >= '0' and <= '7' when i + 3 < source.Length:
                value.Append((char)Convert.ToInt32(source.Substring(i + 1, 3), 8));
                return i + 4;
            default:
                throw new TemplateException(pos, $"invalid escape \\{e} in quoted string");
        }

        int Hex(int from, int length)
        {
            if (from + length > source.Length || !int.TryParse(source.AsSpan(from, length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                || !Rune.IsValid(code))
                throw new TemplateException(pos, "invalid hex escape in quoted string");
            value.Append(new Rune(code).ToString());
            return from + length;
        }
    }
}
