namespace OrleansLlm.Abstractions.Errors;

/// <summary>
/// The model's load was waiting for busy models on its silo, and another silo has room: its
/// activation moves there. Unlike <see cref="ModelRelocatingException"/> this is progress, not a
/// bounce, so callers retry it without spending their relocation budget.
/// </summary>
[GenerateSerializer]
public sealed class ModelMovingException : Exception
{
    public ModelMovingException()
    {
    }

    public ModelMovingException(string message)
        : base(message)
    {
    }

    public ModelMovingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
