namespace OrleansLlm.Server.Api;

/// <summary>
/// An error as a client sees it, whichever API it called: the HTTP status, the message (no server
/// file paths in it), OpenAI's error <c>type</c>, <c>param</c> and <c>code</c>, and for a busy
/// server when to try again. <see cref="ErrorMap"/> makes these; <see cref="ErrorShape"/> writes them.
/// </summary>
internal sealed record ApiError(int Status, string Message, string OpenAiType, string? OpenAiCode = null)
{
    /// <summary>The request field the error is about, for OpenAI's <c>param</c>.</summary>
    public string? Param { get; init; }

    /// <summary>Sent as <c>Retry-After</c> (whole seconds).</summary>
    public TimeSpan? RetryAfter { get; init; }

    public bool IsServerError => Status >= 500;
}
