using OrleansLlm.Abstractions.Models;

namespace OrleansLlm.Abstractions.Runners;

/// <summary>
/// One loaded model, ready to generate: the seam between scheduling (which decides where and
/// when) and inference (LLamaSharp, or the simulated runner used where there is no GPU).
/// Disposing it releases all of its memory.
/// </summary>
public interface ILlmRunner : IAsyncDisposable
{
    /// <summary>What the load used: devices, the estimate it was placed by, and measured memory.</summary>
    RunnerMemory Memory { get; }

    /// <summary>
    /// Streams the tokens of one generation; the last event is <see cref="GenerationEventKind.Done"/>
    /// with statistics. Cancelling the token stops generation at the next step.
    /// </summary>
    IAsyncEnumerable<GenerationEvent> GenerateAsync(GenerateRequest request, CancellationToken cancellationToken);

    /// <summary>One normalised vector per input.</summary>
    Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> inputs, bool truncate, CancellationToken cancellationToken);

    /// <summary>False when the runner can no longer serve (its native state is broken).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}
