using System.Globalization;
using System.Text;

namespace OrleansLlm.Inference.Grammars;

/// <summary>
/// The named rules of one grammar being built: fresh names, rules shared by text, and bounded
/// repetition that stays within what llama.cpp's grammar parser accepts.
/// </summary>
internal sealed class GbnfRules
{
    /// <summary>
    /// llama.cpp refuses a repetition count of 2000 or more ("exceeds sane defaults") and then has
    /// no grammar at all; larger bounds are built from chunks of this many.
    /// </summary>
    private const int MaxCount = 1999;

    private const int Chunk = 1000;

    /// <summary>
    /// llama.cpp expands <c>x{m,n}</c> into about n rules when it parses the grammar, for every
    /// request; bounds that would expand past this many are refused instead.
    /// </summary>
    public const int MaxExpansion = 100_000;

    private readonly StringBuilder _text = new();
    private readonly Dictionary<string, string> _shared = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;
    private long _expansion;

    /// <param name="reserved">Names the caller defines itself (the primitives).</param>
    public GbnfRules(IEnumerable<string> reserved) => _names.UnionWith(reserved);

    /// <summary>A name no other rule has, from <paramref name="hint"/> (any text; reduced to GBNF's name characters).</summary>
    public string NewName(string hint)
    {
        var stem = new string([.. hint.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        if (stem.Length == 0)
            stem = "rule";
        var name = stem;
        while (!_names.Add(name))
            name = string.Create(CultureInfo.InvariantCulture, $"{stem}-{++_counter}");
        return name;
    }

    /// <summary>Defines a rule named by <see cref="NewName"/>.</summary>
    public void Define(string name, string body) => _text.Append(name).Append(" ::= ").Append(body).Append('\n');

    /// <summary>A new rule for <paramref name="body"/>.</summary>
    public string Add(string hint, string body)
    {
        var name = NewName(hint);
        Define(name, body);
        return name;
    }

    /// <summary>One rule per distinct body: fixed pieces (a date, a character set) cost their text once.</summary>
    public string Shared(string hint, string body)
    {
        if (_shared.TryGetValue(body, out var name))
            return name;
        name = Add(hint, body);
        _shared[body] = name;
        return name;
    }

    /// <summary>
    /// <paramref name="atom"/> (one symbol: a rule name, a literal or a class) repeated from
    /// <paramref name="min"/> to <paramref name="max"/> times (null: no maximum); "" when it may only be absent.
    /// </summary>
    public string Repeat(string atom, int min, int? max)
    {
        if (max is { } upper && upper < min)
            throw new InvalidOperationException($"repetition {{{min},{upper}}}");
        _expansion += Math.Max(min, max ?? min) + 1;
        if (_expansion > MaxExpansion)
            throw new ArgumentException($"format schema: its length, item and repetition bounds add up to more than {MaxExpansion} repeated elements, which the grammar parser would expand for every request");
        return (min, max) switch
        {
            (_, 0) => "",
            (0, 1) => atom + "?",
            (0, null) => atom + "*",
            (1, null) => atom + "+",
            (_, null) => Join(Exact(atom, min), atom + "*"),
            _ => Join(Exact(atom, min), UpTo(atom, max.Value - min)),
        };
    }

    private string Exact(string atom, int count) => count switch
    {
        0 => "",
        1 => atom,
        <= MaxCount => Count(atom, count),
        _ => Join(Count(ChunkOf(atom), count / Chunk), Exact(atom, count % Chunk)),
    };

    /// <summary>From none to <paramref name="count"/>: below the parser's limit directly, above it as whole chunks and a remainder.</summary>
    private string UpTo(string atom, int count)
    {
        if (count <= MaxCount)
            return count == 0 ? "" : count == 1 ? atom + "?" : $"{atom}{{0,{count}}}";
        var chunks = count / Chunk;
        var fewer = Join(chunks == 1 ? "" : $"{ChunkOf(atom)}{{0,{chunks - 1}}}", $"{atom}{{0,{Chunk - 1}}}");
        var all = Join(Count(ChunkOf(atom), chunks), UpTo(atom, count % Chunk));
        return $"( {fewer} | {all} )";
    }

    private string ChunkOf(string atom) => Shared("chunk", $"{atom}{{{Chunk}}}");

    private static string Count(string atom, int count) => count == 1 ? atom : $"{atom}{{{count}}}";

    private static string Join(string first, string second) => first.Length == 0 ? second : second.Length == 0 ? first : first + " " + second;

    public override string ToString() => _text.ToString();
}
