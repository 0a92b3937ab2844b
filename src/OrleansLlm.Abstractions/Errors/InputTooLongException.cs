namespace OrleansLlm.Abstractions.Errors;

/// <summary>
/// An input is longer than the context that must hold it and the request did not ask to cut it
/// (<c>truncate: false</c>): the caller's mistake, answered 400 as Ollama does, not a runner failure.
/// </summary>
[GenerateSerializer, Alias("ollm.InputTooLongException")]
public sealed class InputTooLongException : Exception
{
    public InputTooLongException()
    {
    }

    public InputTooLongException(string message)
        : base(message)
    {
    }

    public InputTooLongException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
