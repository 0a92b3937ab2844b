using System.Globalization;
using System.Text;

namespace OrleansLlm.Inference.Grammars;

/// <summary>Character classes, escapes and code points.</summary>
internal sealed partial class PatternParser
{
    private CharSet Class()
    {
        _pos++; // '['
        var negated = TryConsume('^');
        var set = CharSet.Empty;
        while (true)
        {
            if (_pos >= _pattern.Length)
                throw Error("unterminated character class");
            if (TryConsume(']'))
                break;
            var from = ClassAtom();
            if (Peek('-') && _pos + 1 < _pattern.Length && _pattern[_pos + 1] != ']')
            {
                _pos++;
                var to = ClassAtom();
                if (from.SingleOrNull is not { } low || to.SingleOrNull is not { } high)
                    throw Error("a class range cannot start or end with a class escape such as \\d");
                if (high < low)
                    throw Error($"class range out of order at offset {_pos}");
                set = set.Union(CharSet.Of((low, high)));
            }
            else
            {
                set = set.Union(from);
            }
        }
        set = negated ? set.Complement() : set;
        if (set.IsEmpty)
            throw Error("a character class that matches nothing is not supported");
        return set;
    }

    private CharSet ClassAtom()
    {
        if (!TryConsume('\\'))
            return CharSet.Single(NextCodePoint());
        if (TryConsume('b'))
            return CharSet.Single(8);
        if (TryConsume('-'))
            return CharSet.Single('-');
        return Escape(inClass: true);
    }

    /// <summary>After a backslash.</summary>
    private CharSet Escape(bool inClass)
    {
        if (_pos >= _pattern.Length)
            throw Error("the pattern ends with a lone backslash");
        var c = _pattern[_pos++];
        switch (c)
        {
            case 'd': return CharSet.Digit;
            case 'D': return CharSet.Digit.Complement();
            case 'w': return CharSet.Word;
            case 'W': return CharSet.Word.Complement();
            case 's': return CharSet.Space;
            case 'S': return CharSet.Space.Complement();
            case 't': return CharSet.Single('\t');
            case 'n': return CharSet.Single('\n');
            case 'r': return CharSet.Single('\r');
            case 'f': return CharSet.Single('\f');
            case 'v': return CharSet.Single('\v');
            case '0' when _pos >= _pattern.Length || !char.IsAsciiDigit(_pattern[_pos]):
                return CharSet.Single(0);
            case 'c' when _pos < _pattern.Length && char.IsAsciiLetter(_pattern[_pos]):
                return CharSet.Single(_pattern[_pos++] % 32);
            case 'x': return CharSet.Single(Hex(2));
            case 'u': return CharSet.Single(Hex(4));
            case 'b' or 'B' when !inClass:
                throw Error($"the word-boundary assertion '\\{c}' is not supported (GBNF cannot express it)");
            case >= '1' and <= '9' or 'k':
                throw Error($"backreference '\\{c}' is not supported (GBNF cannot express it)");
            case 'p' or 'P':
                throw Error($"Unicode property escape '\\{c}' is not supported");
            default:
                if (char.IsAsciiLetterOrDigit(c))
                    throw Error($"escape '\\{c}' is not supported");
                _pos--;
                return CharSet.Single(NextCodePoint()); // an escaped syntax character stands for itself
        }
    }

    private int Hex(int digits)
    {
        if (_pos + digits > _pattern.Length || !int.TryParse(_pattern.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            throw Error($"escape at offset {_pos - 2} needs {digits} hex digits");
        _pos += digits;
        return value;
    }

    private int NextCodePoint()
    {
        var rune = Rune.GetRuneAt(_pattern, _pos);
        _pos += rune.Utf16SequenceLength;
        return rune.Value;
    }
}
