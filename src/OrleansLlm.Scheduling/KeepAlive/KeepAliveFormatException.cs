namespace OrleansLlm.Scheduling.KeepAlive;

/// <summary>A <c>keep_alive</c> value that is neither a number of seconds nor a duration.</summary>
public sealed class KeepAliveFormatException : FormatException
{
    public KeepAliveFormatException()
    {
    }

    public KeepAliveFormatException(string message)
        : base(message)
    {
    }

    public KeepAliveFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
