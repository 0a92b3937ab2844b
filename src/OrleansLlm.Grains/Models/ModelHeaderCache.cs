using System.Collections.Concurrent;
using OrleansLlm.Gguf;

namespace OrleansLlm.Grains.Models;

/// <summary>
/// GGUF headers by path, reread only when the file's size or modification time changes: the
/// director and the GPU silo estimate a model on every placement, and parsing a 9 MiB header
/// each time would be wasted.
/// </summary>
public sealed class ModelHeaderCache
{
    private readonly ConcurrentDictionary<string, (long Length, DateTime Modified, GgufFile File)> _headers = new(StringComparer.Ordinal);

    /// <exception cref="FileNotFoundException">No model file at <paramref name="path"/>.</exception>
    /// <exception cref="GgufFormatException">The file is not a valid GGUF.</exception>
    public GgufFile Get(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException($"model file '{path}' does not exist", path);
        if (_headers.TryGetValue(path, out var cached) && cached.Length == info.Length && cached.Modified == info.LastWriteTimeUtc)
            return cached.File;
        var file = GgufReader.ReadFile(path);
        _headers[path] = (info.Length, info.LastWriteTimeUtc, file);
        return file;
    }
}
