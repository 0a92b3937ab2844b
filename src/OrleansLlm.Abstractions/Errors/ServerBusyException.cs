namespace OrleansLlm.Abstractions.Errors;

/// <summary>The pending-request bound (<c>OLLAMA_MAX_QUEUE</c>) is reached: HTTP 503 with Ollama's exact text.</summary>
[GenerateSerializer, Alias("ollm.ServerBusyException")]
public sealed class ServerBusyException : Exception
{
    /// <summary>Ollama's <c>ErrMaxQueue</c>, two spaces after "again." included.</summary>
    public const string OllamaMessage = "server busy, please try again.  maximum pending requests exceeded";

    public ServerBusyException()
        : base(OllamaMessage)
    {
    }

    public ServerBusyException(string message)
        : base(message)
    {
    }

    public ServerBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
