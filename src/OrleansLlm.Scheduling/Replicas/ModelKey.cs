using System.Globalization;

namespace OrleansLlm.Scheduling.Replicas;

/// <summary>
/// Which runner of a model a grain key names (README "Replicas"): the model's canonical path for
/// its primary — the key that was always the model's identity, under which its keep-alive intent
/// and reminder are stored — and <c>&lt;path&gt;#replica-&lt;n&gt;</c> for replica n ≥ 1. Model paths
/// always end in <c>.gguf</c> (the catalog opens nothing else), so the suffix never names a file.
/// </summary>
public readonly record struct ModelKey(string Path, int Replica)
{
    private const string Separator = "#replica-";

    public bool IsPrimary => Replica == 0;

    /// <summary>The grain key.</summary>
    public override string ToString() => IsPrimary ? Path : string.Create(CultureInfo.InvariantCulture, $"{Path}{Separator}{Replica}");

    public static ModelKey Primary(string path) => new(path, 0);

    public static ModelKey Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var at = key.LastIndexOf(Separator, StringComparison.Ordinal);
        if (at > 0 && int.TryParse(key.AsSpan(at + Separator.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var replica) && replica > 0
            && key.AsSpan(at + Separator.Length).SequenceEqual(replica.ToString(CultureInfo.InvariantCulture)))
            return new(key[..at], replica);
        return new(key, 0);
    }

    /// <summary>The model file a grain key names (itself for a primary).</summary>
    public static string PathOf(string key) => Parse(key).Path;

    /// <summary>Whether <paramref name="key"/> names another runner (primary or replica) of the same model as this one.</summary>
    public bool IsSiblingOf(string key) => Parse(key) is var other && other.Path == Path && other.Replica != Replica;
}
