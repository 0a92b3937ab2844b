namespace OrleansLlm.Client;

/// <summary>Where the models are and which one to use when a request names none.</summary>
public sealed class OrleansLlmClientOptions
{
    /// <summary>The models root the cluster serves (the same path as the silos' <c>OLLM_MODELS</c>).</summary>
    public string ModelsRoot { get; set; } = "models";

    /// <summary>The model used when <c>ChatOptions.ModelId</c> is not set (<c>name[:tag]</c>).</summary>
    public string DefaultModel { get; set; } = "demo";

    /// <summary>Requests that may wait for a model load at once (<c>OLLAMA_MAX_QUEUE</c>).</summary>
    public int MaxQueue { get; set; } = 512;
}
