namespace OrleansLlm.Abstractions.Errors;

/// <summary>No silo of the cluster can hold the model, even empty; the message says what it needs and what there is.</summary>
[GenerateSerializer, Alias("ollm.ModelTooLargeException")]
public sealed class ModelTooLargeException : Exception
{
    public ModelTooLargeException()
    {
    }

    public ModelTooLargeException(string message)
        : base(message)
    {
    }

    public ModelTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
