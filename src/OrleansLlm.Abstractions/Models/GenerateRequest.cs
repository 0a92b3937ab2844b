using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Abstractions.Models;

/// <summary>
/// One request to a model: a prompt or chat messages (neither = load only), the runner options
/// it needs the model loaded with, how to sample, and how long to keep the model afterwards.
/// </summary>
[GenerateSerializer, Immutable, Alias("ollm.GenerateRequest")]
public sealed record GenerateRequest
{
    [Id(0)] public string? Prompt { get; init; }
    [Id(1)] public IReadOnlyList<ChatMessage>? Messages { get; init; }
    [Id(2)] public string? System { get; init; }

    /// <summary>True: the prompt is sent as is, without the chat template.</summary>
    [Id(3)] public bool Raw { get; init; }

    /// <summary><c>json</c>, or a JSON schema, to constrain the output; null for free text.</summary>
    [Id(4)] public string? Format { get; init; }

    /// <summary>
    /// Runner options as the request gave them (before <c>num_parallel</c> admission). They travel
    /// once, in the call's request context (<see cref="ModelRequestContext"/>), where the placement
    /// director can read them before the request reaches the grain: <see cref="ModelClient"/> puts
    /// them there, and they are not part of the serialized request.
    /// </summary>
    [field: NonSerialized]
    public RunnerOptions Runner { get; init; } = RunnerOptions.Default;

    [Id(6)] public SamplingOptions Sampling { get; init; } = SamplingOptions.Default;

    /// <summary>The request's <c>keep_alive</c>; null: the server's default (<c>OLLAMA_KEEP_ALIVE</c>), as in Ollama.</summary>
    [Id(7)] public KeepAliveDuration? KeepAlive { get; init; }

    /// <summary>LoRA adapter files the model is loaded with; a change reloads it.</summary>
    [Id(8)] public IReadOnlyList<string> Adapters { get; init; } = [];

    /// <summary>Multimodal projector files; a change reloads the model.</summary>
    [Id(9)] public IReadOnlyList<string> Projectors { get; init; } = [];

    /// <summary>No prompt and no messages: load the model (or, with keep-alive 0, unload it) and generate nothing.</summary>
    public bool IsLoadOnly => string.IsNullOrEmpty(Prompt) && (Messages is null || Messages.Count == 0);
}
