namespace OrleansLlm.Abstractions.Models;

/// <summary>Ollama's final statistics of a generation; durations in nanoseconds as Ollama reports them.</summary>
[GenerateSerializer, Immutable, Alias("ollm.GenerationStats")]
public sealed record GenerationStats
{
    [Id(0)] public int PromptEvalCount { get; init; }
    [Id(1)] public long PromptEvalDurationNs { get; init; }
    [Id(2)] public int EvalCount { get; init; }
    [Id(3)] public long EvalDurationNs { get; init; }
    [Id(4)] public long LoadDurationNs { get; init; }
    [Id(5)] public long TotalDurationNs { get; init; }
}
