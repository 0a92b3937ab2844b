namespace OrleansLlm.Abstractions.Errors;

/// <summary>
/// A request waited for the autoscaler to start a GPU host that can hold its model, and none was
/// ready within <c>OLLM_HOST_WAIT</c>: answered 503 with <c>Retry-After</c>, never a silent drop.
/// </summary>
[GenerateSerializer, Alias("ollm.HostWaitExpiredException")]
public sealed class HostWaitExpiredException : Exception
{
    public HostWaitExpiredException()
    {
    }

    public HostWaitExpiredException(string message)
        : base(message)
    {
    }

    public HostWaitExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
