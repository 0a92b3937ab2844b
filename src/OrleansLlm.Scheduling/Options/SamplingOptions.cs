namespace OrleansLlm.Scheduling.Options;

/// <summary>
/// Options that shape one generation and never require reloading a model. Defaults are Ollama's.
/// </summary>
public sealed record SamplingOptions
{
    public static SamplingOptions Default { get; } = new();

    /// <summary>Tokens to generate; -1 = until end of sequence, -2 = until the context is full.</summary>
    public int NumPredict { get; init; } = -1;
    public float Temperature { get; init; } = 0.8f;
    public int TopK { get; init; } = 40;
    public float TopP { get; init; } = 0.9f;
    public float MinP { get; init; }
    public float TypicalP { get; init; } = 1f;
    public float RepeatPenalty { get; init; } = 1.1f;
    public int RepeatLastN { get; init; } = 64;
    public float PresencePenalty { get; init; }
    public float FrequencyPenalty { get; init; }

    /// <summary>Random seed; -1 picks one per request.</summary>
    public int Seed { get; init; } = -1;

    /// <summary>Strings that end generation; they are not emitted.</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    public int NumKeep { get; init; } = 4;
}
