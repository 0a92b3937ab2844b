namespace OrleansLlm.Abstractions.Models;

/// <summary>
/// One item of a model's stream: a generation's, or an embedding's (queued, started, then one
/// <see cref="GenerationEventKind.Done"/> that carries the vectors), so both take one path.
/// </summary>
[GenerateSerializer, Immutable, Alias("ollm.GenerationEvent")]
public sealed record GenerationEvent(
    [property: Id(0)] GenerationEventKind Kind,
    [property: Id(1)] string? Text = null,
    [property: Id(2)] string? DoneReason = null,
    [property: Id(3)] GenerationStats? Stats = null,
    [property: Id(4)] string? SiloAddress = null,
    [property: Id(5)] IReadOnlyList<float[]>? Embeddings = null)
{
    public static GenerationEvent Queued(string reason) => new(GenerationEventKind.Queued, Text: reason);

    public static GenerationEvent Redirected(string runnerKey) => new(GenerationEventKind.Redirected, Text: runnerKey);

    public static GenerationEvent Token(string text) => new(GenerationEventKind.Token, text);

    public static GenerationEvent Done(string reason, GenerationStats stats) => new(GenerationEventKind.Done, DoneReason: reason, Stats: stats);

    public static GenerationEvent Embedded(IReadOnlyList<float[]> vectors, GenerationStats stats) =>
        new(GenerationEventKind.Done, DoneReason: "embed", Stats: stats, Embeddings: vectors);
}
