namespace OrleansLlm.Scheduling.Options;

/// <summary>An option of the wrong type or with an impossible value; the message names it.</summary>
public sealed class InvalidOptionsException : Exception
{
    public InvalidOptionsException()
    {
    }

    public InvalidOptionsException(string message)
        : base(message)
    {
    }

    public InvalidOptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
