namespace OrleansLlm.Abstractions.Errors;

/// <summary>A model failed to load; every request waiting for that load gets this error.</summary>
[GenerateSerializer, Alias("ollm.ModelLoadException")]
public sealed class ModelLoadException : Exception
{
    public ModelLoadException()
    {
    }

    public ModelLoadException(string message)
        : base(message)
    {
    }

    public ModelLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
