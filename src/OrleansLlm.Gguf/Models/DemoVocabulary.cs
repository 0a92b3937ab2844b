namespace OrleansLlm.Gguf.Models;

/// <summary>
/// A SentencePiece-style vocabulary llama.cpp tokenises with: <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>,
/// <c>&lt;/s&gt;</c>, the 256 byte tokens (so any text can be encoded), the ChatML markers as control
/// tokens, then pieces — whole words reachable by merging their prefixes, letters, bigrams.
/// </summary>
public sealed class DemoVocabulary
{
    public const int Unknown = 0;
    public const int BeginOfSequence = 1;
    public const int EndOfSequence = 2;

    /// <summary>Special tokens, byte tokens, the two ChatML markers and the word-boundary piece.</summary>
    public const int MinimumSize = 3 + 256 + 2 + 1 + 40;

    // llama.cpp's token types.
    private const int Normal = 1;
    private const int UnknownType = 2;
    private const int Control = 3;
    private const int Byte = 6;

    private const string WordBoundary = "\u2581";

    private static readonly string[] Words =
    [
        "the", "and", "of", "to", "a", "in", "is", "it", "you", "that", "he", "was", "for", "on", "are", "with", "as", "I",
        "his", "they", "be", "at", "one", "have", "this", "from", "or", "had", "by", "hot", "word", "but", "what", "some",
        "we", "can", "out", "other", "were", "all", "there", "when", "up", "use", "your", "how", "said", "an", "each", "she",
        "which", "do", "their", "time", "if", "will", "way", "about", "many", "then", "them", "write", "would", "like", "so",
        "these", "her", "long", "make", "thing", "see", "him", "two", "has", "look", "more", "day", "could", "go", "come",
        "did", "number", "sound", "no", "most", "people", "my", "over", "know", "water", "than", "call", "first", "who",
        "may", "down", "side", "been", "now", "find", "model", "cluster", "token", "hello", "world", "orleans", "silo",
    ];

    private DemoVocabulary(string[] tokens, float[] scores, int[] types)
    {
        Tokens = tokens;
        Scores = scores;
        TokenTypes = types;
    }

    public IReadOnlyList<string> Tokens { get; }
    public IReadOnlyList<float> Scores { get; }
    public IReadOnlyList<int> TokenTypes { get; }

    public static DemoVocabulary Create(int size)
    {
        if (size < MinimumSize)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"at least {MinimumSize} tokens are needed");
        var tokens = new List<string>(size) { "<unk>", "<s>", "</s>" };
        var types = new List<int>(size) { UnknownType, Control, Control };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            types.Add(Byte);
        }
        tokens.Add("<|im_start|>");
        tokens.Add("<|im_end|>");
        types.Add(Control);
        types.Add(Control);

        var seen = new HashSet<string>(tokens, StringComparer.Ordinal);
        foreach (var piece in Pieces())
        {
            if (tokens.Count == size)
                break;
            if (!seen.Add(piece))
                continue;
            tokens.Add(piece);
            types.Add(Normal);
        }
        if (tokens.Count < size)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"the demo vocabulary has at most {tokens.Count} distinct pieces");

        // SentencePiece merges the highest-scoring pair first: earlier (shorter) pieces score higher.
        var scores = new float[size];
        for (var i = 0; i < size; i++)
            scores[i] = types[i] == Normal ? -i : 0f;
        return new DemoVocabulary([.. tokens], scores, [.. types]);
    }

    private static IEnumerable<string> Pieces()
    {
        yield return WordBoundary;
        const string letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'-:;()\"";
        foreach (var c in letters)
            yield return c.ToString();
        foreach (var c in letters)
            yield return WordBoundary + c;
        // Every prefix of a word comes before the word, so SentencePiece can merge up to it.
        foreach (var word in Words)
        {
            for (var length = 2; length <= word.Length; length++)
                yield return WordBoundary + word[..length];
        }
        const string lower = "abcdefghijklmnopqrstuvwxyz";
        foreach (var a in lower)
        {
            foreach (var b in lower)
                yield return string.Concat(a, b);
        }
        foreach (var a in lower)
        {
            foreach (var b in lower)
                yield return WordBoundary + a + b;
        }
        foreach (var a in lower)
        {
            foreach (var b in lower)
            {
                foreach (var c in lower)
                    yield return string.Concat(a, b, c);
            }
        }
    }
}
