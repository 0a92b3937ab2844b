namespace OrleansLlm.Abstractions.Prompts;

/// <summary>Tools were offered to a model whose template has no place for them (Ollama's 400).</summary>
public sealed class ToolsNotSupportedException : ArgumentException
{
    public ToolsNotSupportedException()
    {
    }

    public ToolsNotSupportedException(string model)
        : base($"model '{model}' does not support tools")
    {
    }

    public ToolsNotSupportedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
