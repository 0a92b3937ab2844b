namespace OrleansLlm.Scheduling.Estimation;

/// <summary>A model file whose metadata lacks what estimating its memory needs (a key, a sane value).</summary>
public sealed class ModelMetadataException : Exception
{
    public ModelMetadataException()
    {
    }

    public ModelMetadataException(string message)
        : base(message)
    {
    }

    public ModelMetadataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
