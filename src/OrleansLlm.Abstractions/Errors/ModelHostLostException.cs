namespace OrleansLlm.Abstractions.Errors;

/// <summary>
/// The host serving a request died mid-answer (a killed or crashed silo): the answer is cut, and
/// the model will be placed again for the next request. What the caller gets instead of Orleans'
/// own enumeration or messaging errors.
/// </summary>
[GenerateSerializer, Alias("ollm.ModelHostLostException")]
public sealed class ModelHostLostException : Exception
{
    public ModelHostLostException()
        : base("the host serving the model was lost")
    {
    }

    public ModelHostLostException(string message)
        : base(message)
    {
    }

    public ModelHostLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
