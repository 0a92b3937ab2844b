namespace OrleansLlm.Gguf;

/// <summary>Limits that keep a hostile file from costing memory or time, and what to load.</summary>
public sealed record GgufReaderOptions
{
    public static GgufReaderOptions Default { get; } = new();

    /// <summary>Options that load every array, however long (Ollama's <c>verbose</c> show).</summary>
    public static GgufReaderOptions LoadAllArrays { get; } = new() { ArrayLoadLimit = long.MaxValue };

    /// <summary>
    /// Arrays with more elements than this are skipped and surface as not loaded, keeping their
    /// length. Ollama's default is 1024: a 128k-token vocabulary is never materialised for scheduling.
    /// </summary>
    public long ArrayLoadLimit { get; init; } = 1024;

    /// <summary>Longest string accepted (a chat template is tens of KiB; Ollama's limit is 16 MiB).</summary>
    public long MaxStringLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most elements one array may declare (Ollama's limit is 64 Mi).</summary>
    public long MaxArrayLength { get; init; } = 64 * 1024 * 1024;

    /// <summary>Deepest nesting of arrays inside arrays.</summary>
    public int MaxArrayDepth { get; init; } = 8;

    /// <summary>
    /// Most bytes the metadata and tensor table together may span. A real header is a few MiB;
    /// the bound keeps a huge sparse file from being walked for minutes.
    /// </summary>
    public long MaxHeaderBytes { get; init; } = 256L * 1024 * 1024;
}
