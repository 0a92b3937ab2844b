using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;

namespace OrleansLlm.Inference.Simulated;

/// <summary>A runner that holds no model: it streams numbered tokens at the configured rate.</summary>
public sealed class SimulatedRunner(RunnerMemory memory, SimulatedRunnerOptions options, TimeProvider clock) : ILlmRunner
{
    private int _disposed;

    public RunnerMemory Memory { get; } = memory;

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var started = Stopwatch.GetTimestamp();
        var count = request.Sampling.NumPredict >= 0 ? request.Sampling.NumPredict : options.DefaultTokens;
        var interval = TimeSpan.FromSeconds(1 / options.TokensPerSecond);
        for (var i = 0; i < count; i++)
        {
            await Task.Delay(interval, clock, cancellationToken).ConfigureAwait(false);
            yield return GenerationEvent.Token(string.Create(CultureInfo.InvariantCulture, $"tok{i} "));
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        yield return GenerationEvent.Done(count == request.Sampling.NumPredict ? "length" : "stop", new GenerationStats
        {
            PromptEvalCount = (request.Prompt?.Length ?? 0) / 4 + 1,
            EvalCount = count,
            EvalDurationNs = (long)elapsed.TotalNanoseconds,
            TotalDurationNs = (long)elapsed.TotalNanoseconds,
        });
    }

    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> inputs, bool truncate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        IReadOnlyList<float[]> vectors = [.. inputs.Select(Embed)];
        return Task.FromResult(vectors);
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(_disposed == 0);

    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        return ValueTask.CompletedTask;
    }

    private static float[] Embed(string text)
    {
        // A deterministic unit vector per text (FNV-1a seed: string hashes differ per process).
        var seed = 2166136261u;
        foreach (var c in text)
            seed = (seed ^ c) * 16777619u;
        var random = new Random((int)seed);
        var vector = new float[16];
        for (var i = 0; i < vector.Length; i++)
            vector[i] = (random.NextSingle() * 2) - 1;
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return [.. vector.Select(v => v / norm)];
    }
}
