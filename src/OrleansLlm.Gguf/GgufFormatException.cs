namespace OrleansLlm.Gguf;

/// <summary>
/// The one exception a malformed GGUF file raises: it names the byte offset where reading
/// went wrong and why, so that a user can tell a truncated download from a hostile file.
/// </summary>
public sealed class GgufFormatException : Exception
{
    public GgufFormatException()
        : this(0, "malformed GGUF file")
    {
    }

    public GgufFormatException(string message)
        : this(0, message)
    {
    }

    public GgufFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    public GgufFormatException(long offset, string reason, string? path = null)
        : base(FormatMessage(offset, reason, path))
    {
        Offset = offset;
        Reason = reason;
        Path = path;
    }

    /// <summary>Byte offset in the file where the problem was found.</summary>
    public long Offset { get; }

    /// <summary>What is wrong, without the offset and path.</summary>
    public string Reason { get; }

    /// <summary>The file that was read, when it was read from a file.</summary>
    public string? Path { get; }

    internal GgufFormatException WithPath(string path) => new(Offset, Reason, path);

    private static string FormatMessage(long offset, string reason, string? path) =>
        path is null
            ? $"Invalid GGUF at byte {offset}: {reason}"
            : $"Invalid GGUF file '{path}' at byte {offset}: {reason}";
}
