namespace OrleansLlm.Server.Api;

/// <summary>A request both APIs answer with 400; the message says which field and why.</summary>
internal sealed class BadRequestException(string message, string? param = null) : Exception(message)
{
    /// <summary>The request field at fault, when there is one (OpenAI's <c>param</c>).</summary>
    public string? Param { get; } = param;
}
