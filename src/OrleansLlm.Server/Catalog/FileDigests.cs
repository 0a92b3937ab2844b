using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace OrleansLlm.Server.Catalog;

/// <summary>
/// SHA-256 of model files, as Ollama reports digests, once per file version. Files up to
/// <see cref="InlineLimit"/> are hashed on the spot; larger ones in the background, the digest
/// being left out until it is known — hashing 40 GB must not hold up <c>/api/ps</c>.
/// </summary>
internal static class FileDigests
{
    public const long InlineLimit = 256L << 20;

    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Modified), Lazy<Task<string>>> Digests = new();

    public static string? Of(FileInfo file)
    {
        var key = (file.FullName, file.Length, file.LastWriteTimeUtc);
        var digest = Digests.GetOrAdd(key, k => new Lazy<Task<string>>(() => file.Length <= InlineLimit
            ? Task.FromResult(Hash(k.Path))
            : Task.Run(() => Hash(k.Path))));
        return digest.Value.IsCompletedSuccessfully ? digest.Value.Result : null;
    }

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
