namespace OrleansLlm.Abstractions.Errors;

/// <summary>
/// No GPU silo is running to place a model on (the fleet is at zero, or every silo is draining).
/// With the autoscaler on, a request waits for a host instead (<see cref="Models.ModelClient"/>).
/// </summary>
[GenerateSerializer, Alias("ollm.NoGpuHostException")]
public sealed class NoGpuHostException : Exception
{
    public NoGpuHostException()
    {
    }

    public NoGpuHostException(string message)
        : base(message)
    {
    }

    public NoGpuHostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
