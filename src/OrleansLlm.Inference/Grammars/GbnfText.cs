using System.Globalization;
using System.Text;

namespace OrleansLlm.Inference.Grammars;

/// <summary>
/// GBNF literals and character classes that llama.cpp's grammar parser reads back exactly.
/// Anything but printable ASCII is written as a hex escape: the parser knows only a few escapes
/// (<c>\-</c> is an error), and LLamaSharp passes the grammar as an ANSI string, which is UTF-8
/// on Linux but not on Windows.
/// </summary>
internal static class GbnfText
{
    /// <summary>A GBNF string literal that matches exactly <paramref name="text"/>.</summary>
    public static string Literal(string text)
    {
        var literal = new StringBuilder("\"");
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is '"' or '\\')
                literal.Append('\\').Append((char)rune.Value);
            else
                AppendChar(literal, rune.Value);
        }
        return literal.Append('"').ToString();
    }

    /// <summary>A GBNF character class of the code point ranges <paramref name="ranges"/> (at least one).</summary>
    public static string Class(IEnumerable<(int From, int To)> ranges)
    {
        var text = new StringBuilder("[");
        foreach (var (from, to) in ranges)
        {
            AppendClassChar(text, from);
            if (to == from)
                continue;
            if (to > from + 1)
                text.Append('-');
            AppendClassChar(text, to);
        }
        if (text.Length == 1)
            throw new InvalidOperationException("a GBNF class needs at least one character");
        return text.Append(']').ToString();
    }

    private static void AppendClassChar(StringBuilder text, int c)
    {
        // ']' ends the class, '-' makes a range, '^' first negates it, '\\' escapes: all as hex.
        if (c is ']' or '-' or '^' or '\\' or '"' or '[')
            AppendHex(text, c);
        else
            AppendChar(text, c);
    }

    private static void AppendChar(StringBuilder text, int c)
    {
        if (c is >= 0x20 and < 0x7F)
            text.Append((char)c);
        else
            AppendHex(text, c);
    }

    private static void AppendHex(StringBuilder text, int c)
    {
        if (c < 0x100)
            text.Append(CultureInfo.InvariantCulture, $"\\x{c:X2}");
        else if (c < 0x10000)
            text.Append(CultureInfo.InvariantCulture, $"\\u{c:X4}");
        else
            text.Append(CultureInfo.InvariantCulture, $"\\U{c:X8}");
    }
}
