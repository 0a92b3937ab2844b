using OrleansLlm.Gguf.Files;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace OrleansLlm.Gguf.Files;

/// <summary>
/// What the cluster knows of each model file, read once per file version (path, size and
/// modification time): the GGUF header, the SHA-256 digest, and facts derived from the header
/// (such as the matched chat template). Every place that reads a model's header asks here —
/// placement estimates a model on every decision, and parsing a 9 MiB header each time would be
/// wasted.
/// </summary>
public sealed class ModelFileCache
{
    /// <summary>Files up to this size are hashed on the spot; larger ones in the background (hashing 40 GB must not hold up <c>/api/ps</c>).</summary>
    public const long InlineHashLimit = 256L << 20;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The header as scheduling reads it (arrays over <see cref="GgufReaderOptions.ArrayLoadLimit"/> skipped).</summary>
    /// <exception cref="FileNotFoundException">No model file at <paramref name="path"/>.</exception>
    /// <exception cref="GgufFormatException">The file is not a valid GGUF.</exception>
    public GgufFile Header(string path) => EntryFor(path).Header.Value;

    /// <summary>
    /// The SHA-256 digest as Ollama reports it (<c>sha256:…</c>); null while a large file is still
    /// being hashed in the background.
    /// </summary>
    public string? Digest(string path)
    {
        var digest = EntryFor(path).Digest.Value;
        return digest.IsCompletedSuccessfully ? digest.Result : null;
    }

    /// <summary>
    /// A fact derived from the header, computed once per file version; <typeparamref name="T"/>
    /// names the fact, so each kind is remembered once per file.
    /// </summary>
    public T Derived<T>(string path, Func<GgufFile, T> derive)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(derive);
        var entry = EntryFor(path);
        return (T)entry.Facts.GetOrAdd(typeof(T), _ => derive(entry.Header.Value));
    }

    private Entry EntryFor(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException($"model file '{path}' does not exist", path);
        if (_entries.TryGetValue(path, out var cached) && cached.Length == info.Length && cached.Modified == info.LastWriteTimeUtc)
            return cached;
        var entry = new Entry(path, info.Length, info.LastWriteTimeUtc);
        _entries[path] = entry;
        return entry;
    }

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private sealed class Entry(string path, long length, DateTime modified)
    {
        public long Length { get; } = length;

        public DateTime Modified { get; } = modified;

        // PublicationOnly: a read that failed (a file being copied in, say) is tried again, not remembered.
        public Lazy<GgufFile> Header { get; } = new(() => GgufReader.ReadFile(path), LazyThreadSafetyMode.PublicationOnly);

        public Lazy<Task<string>> Digest { get; } = new(() => length <= InlineHashLimit
            ? Task.FromResult(Hash(path))
            : Task.Run(() => Hash(path)), LazyThreadSafetyMode.ExecutionAndPublication);

        public ConcurrentDictionary<Type, object> Facts { get; } = new();
    }
}
