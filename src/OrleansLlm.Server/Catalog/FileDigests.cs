using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace OrleansLlm.Server.Catalog;

/// <summary>SHA-256 of model files, as Ollama reports digests; computed once per file version.</summary>
internal static class FileDigests
{
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Modified), string> Digests = new();

    public static string Of(FileInfo file) => Digests.GetOrAdd((file.FullName, file.Length, file.LastWriteTimeUtc), key =>
    {
        using var stream = File.OpenRead(key.Path);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream));
    });
}
