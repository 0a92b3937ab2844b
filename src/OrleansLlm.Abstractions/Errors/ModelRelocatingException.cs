namespace OrleansLlm.Abstractions.Errors;

/// <summary>
/// The model's activation gave up its silo (it no longer fits there) before the request started:
/// calling again places it anew. Callers retry this one transparently.
/// </summary>
[GenerateSerializer, Alias("ollm.ModelRelocatingException")]
public sealed class ModelRelocatingException : Exception
{
    public ModelRelocatingException()
    {
    }

    public ModelRelocatingException(string message)
        : base(message)
    {
    }

    public ModelRelocatingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
