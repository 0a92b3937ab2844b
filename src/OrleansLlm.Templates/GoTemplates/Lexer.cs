using System.Globalization;
using System.Text;

namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// Splits a template into text and action tokens, applying the trim markers (<c>{{- </c> trims the
/// whitespace before, <c> -}}</c> the whitespace after) and dropping comments, as Go's lexer does.
/// </summary>
internal sealed class Lexer(string source)
{
    private const string Whitespace = " \t\r\n";
    private readonly List<Token> _tokens = [];
    private int _pos;
    private bool _trimNextText;
    private int _scanned;
    private int _line = 1;
    private int _lineStart;

    public static List<Token> Lex(string source) => new Lexer(source).Run();

    private List<Token> Run()
    {
        while (_pos < source.Length)
        {
            var open = source.IndexOf("{{", _pos, StringComparison.Ordinal);
            var textEnd = open < 0 ? source.Length : open;
            var trimLeft = open >= 0 && At(open + 2, "-") && open + 3 < source.Length && Whitespace.Contains(source[open + 3]);
            var text = source[_pos..textEnd];
            var textPos = PosOf(_pos);
            if (_trimNextText)
                text = text.TrimStart(Whitespace.ToCharArray());
            if (trimLeft)
                text = text.TrimEnd(Whitespace.ToCharArray());
            _trimNextText = false;
            if (text.Length > 0)
                _tokens.Add(new Token(TokenKind.Text, text, textPos));
            if (open < 0)
                break;
            _pos = open + 2 + (trimLeft ? 2 : 0);
            LexAction(open);
        }
        _tokens.Add(new Token(TokenKind.Eof, "", PosOf(source.Length)));
        return _tokens;
    }

    private void LexAction(int open)
    {
        var start = PosOf(open);
        if (At(_pos, "/*"))
        {
            var close = source.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
            if (close < 0)
                throw new TemplateException(start, "unclosed comment");
            _pos = close + 2;
            if (At(_pos, " -}}") || At(_pos, "\t-}}") || At(_pos, "\n-}}") || At(_pos, "\r-}}"))
            {
                _pos += 4;
                _trimNextText = true;
            }
            else if (At(_pos, "}}"))
                _pos += 2;
            else
                throw new TemplateException(start, "comment ends before closing delimiter");
            return;
        }
        _tokens.Add(new Token(TokenKind.LeftDelim, "{{", start));
        var depth = 0;
        var space = false;
        while (true)
        {
            if (_pos >= source.Length)
                throw new TemplateException(start, "unclosed action");
            var c = source[_pos];
            if (Whitespace.Contains(c))
            {
                if (At(_pos + 1, "-}}"))
                {
                    if (depth > 0)
                        throw new TemplateException(PosOf(_pos), "unclosed left paren");
                    _tokens.Add(new Token(TokenKind.RightDelim, "}}", PosOf(_pos + 1), true));
                    _pos += 4;
                    _trimNextText = true;
                    return;
                }
                space = true;
                _pos++;
                continue;
            }
            if (At(_pos, "}}"))
            {
                if (depth > 0)
                    throw new TemplateException(PosOf(_pos), "unclosed left paren");
                _tokens.Add(new Token(TokenKind.RightDelim, "}}", PosOf(_pos), space));
                _pos += 2;
                return;
            }
            var pos = PosOf(_pos);
            Token token;
            switch (c)
            {
                case '(':
                    depth++;
                    token = new Token(TokenKind.LeftParen, "(", pos, space);
                    _pos++;
                    break;
                case ')':
                    if (--depth < 0)
                        throw new TemplateException(pos, "unexpected right paren");
                    token = new Token(TokenKind.RightParen, ")", pos, space);
                    _pos++;
                    break;
                case '|':
                    token = new Token(TokenKind.Pipe, "|", pos, space);
                    _pos++;
                    break;
                case ',':
                    token = new Token(TokenKind.Comma, ",", pos, space);
                    _pos++;
                    break;
                case ':' when At(_pos, ":="):
                    token = new Token(TokenKind.Declare, ":=", pos, space);
                    _pos += 2;
                    break;
                case '=':
                    token = new Token(TokenKind.Assign, "=", pos, space);
                    _pos++;
                    break;
                case '"':
                    token = Literals.Quoted(source, ref _pos, pos, space);
                    break;
                case '`':
                    var end = source.IndexOf('`', _pos + 1);
                    if (end < 0)
                        throw new TemplateException(pos, "unterminated raw quoted string");
                    token = new Token(TokenKind.String, source[_pos..(end + 1)], pos, space, source[(_pos + 1)..end]);
                    _pos = end + 1;
                    break;
                case '\'':
                    token = Literals.Character(source, ref _pos, pos, space);
                    break;
                case '$':
                    token = new Token(TokenKind.Variable, Word(_pos + 1, "$"), pos, space);
                    break;
                case '.' when _pos + 1 < source.Length && char.IsAsciiDigit(source[_pos + 1]):
                    token = NumberToken(pos, space);
                    break;
                case '.' when _pos + 1 < source.Length && IsWordChar(source[_pos + 1]):
                    token = new Token(TokenKind.Field, Word(_pos + 1, "."), pos, space);
                    break;
                case '.':
                    token = new Token(TokenKind.Dot, ".", pos, space);
                    _pos++;
                    break;
                case '+' or '-' when _pos + 1 < source.Length && (char.IsAsciiDigit(source[_pos + 1]) || source[_pos + 1] == '.'):
                case >= '0' and <= '9':
                    token = NumberToken(pos, space);
                    break;
                default:
                    if (!IsWordChar(c))
                        throw new TemplateException(pos, $"unexpected \"{c}\" in command");
                    var word = Word(_pos, "");
                    token = word switch
                    {
                        "true" or "false" => new Token(TokenKind.Bool, word, pos, space, word == "true"),
                        "nil" => new Token(TokenKind.Nil, word, pos, space),
                        "if" or "else" or "end" or "range" or "with" or "break" or "continue" or "define" or "template" or "block"
                            => new Token(TokenKind.Keyword, word, pos, space),
                        _ => new Token(TokenKind.Identifier, word, pos, space),
                    };
                    break;
            }
            _tokens.Add(token);
            space = false;
        }
    }

    /// <summary>Reads letters, digits and underscores from <paramref name="from"/>, prefixed.</summary>
    private string Word(int from, string prefix)
    {
        var end = from;
        while (end < source.Length && IsWordChar(source[end]))
            end++;
        _pos = end;
        return prefix + source[from..end];
    }

    private static bool IsWordChar(char c) => c == '_' || char.IsLetterOrDigit(c);

    private Token NumberToken(Pos pos, bool space)
    {
        var start = _pos;
        var end = _pos;
        if (source[end] is '+' or '-')
            end++;
        while (end < source.Length && (char.IsAsciiLetterOrDigit(source[end]) || source[end] is '.' or '_'
               || (source[end] is '+' or '-' && source[end - 1] is 'e' or 'E' or 'p' or 'P')))
            end++;
        _pos = end;
        var text = source[start..end];
        var clean = text.Replace("_", "", StringComparison.Ordinal);
        var negative = clean.StartsWith('-');
        var digits = clean.TrimStart('+', '-');
        object? value = null;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            value = negative ? -hex : hex;
        else if (!digits.Contains('.') && !digits.Contains('e') && !digits.Contains('E')
                 && long.TryParse(clean, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            value = integer;
        else if (double.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
            value = real;
        return value is null
            ? throw new TemplateException(pos, $"bad number syntax: \"{text}\"")
            : new Token(TokenKind.Number, text, pos, space, value);
    }

    private bool At(int index, string text) =>
        index >= 0 && index + text.Length <= source.Length && string.CompareOrdinal(source, index, text, 0, text.Length) == 0;

    private Pos PosOf(int index)
    {
        // Positions are asked for in increasing order: scan forward from the last one.
        for (; _scanned < index && _scanned < source.Length; _scanned++)
        {
            if (source[_scanned] == '\n')
            {
                _line++;
                _lineStart = _scanned + 1;
            }
        }
        if (index < _scanned && index < _lineStart)
            return Rescan(index);
        return new Pos(_line, index - _lineStart + 1);
    }

    private Pos Rescan(int index)
    {
        var line = 1 + source.AsSpan(0, index).Count('\n');
        var lineStart = source.LastIndexOf('\n', Math.Max(index - 1, 0)) + 1;
        return new Pos(line, index - lineStart + 1);
    }
}
