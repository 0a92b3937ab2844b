using System.Globalization;
using System.Runtime.CompilerServices;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Workload;

namespace OrleansLlm.ChurnBench.Runners;

/// <summary>
/// A loaded model without a GPU: <c>num_parallel</c> slots served first come first served, a
/// prefill before the first token, then decode steps whose length grows with the batch and with
/// the other runners generating on the same GPU (<see cref="HostGpuShare"/>).
/// Tokens are reported in two events (the first, then the rest) — time to first token and the
/// end are what the benchmark measures, and the per-token events would only cost CPU.
/// </summary>
/// <param name="ready">When it became ready, in simulated seconds; by default now.</param>
internal sealed class BenchRunner(long id, string host, HostGpuShare gpu, BenchModel model, RunnerMemory memory, int slots, RunnerTimings timings, Recorder recorder,
    double? ready = null) : ILlmRunner
{
    private readonly SemaphoreSlim _slots = new(slots, slots);
    private readonly double _ready = ready ?? recorder.Clock.Now;
    private int _active;
    private int _disposed;

    public RunnerMemory Memory { get; } = memory;

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (id, promptTokens) = BenchPrompt.Parse(request.Prompt);
        var output = Math.Max(1, request.Sampling.NumPredict);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            var streams = Interlocked.Increment(ref _active);
            if (streams == 1)
                gpu.RunnerBusy();
            recorder.RequestStarted(id, host, _ready);
            var clock = recorder.Clock;
            await clock.Delay(timings.PrefillSeconds(model.Parameters, promptTokens) * gpu.BusyRunners, cancellationToken);
            yield return GenerationEvent.Token("t0 ");
            await clock.Delay(timings.StepSeconds(model.WeightBytes, Volatile.Read(ref _active)) * gpu.BusyRunners * (output - 1), cancellationToken);
            if (output > 1)
                yield return GenerationEvent.Token(string.Create(CultureInfo.InvariantCulture, $"t1..t{output - 1} "));
            yield return GenerationEvent.Done("length", new GenerationStats { PromptEvalCount = promptTokens, EvalCount = output });
        }
        finally
        {
            if (Interlocked.Decrement(ref _active) == 0)
                gpu.RunnerIdle();
            _slots.Release();
        }
    }

    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> inputs, bool truncate, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the churn benchmark generates only");

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(_disposed == 0);

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            recorder.Unloaded(id, host, model.Name, Memory.VramBytes);
        return ValueTask.CompletedTask;
    }
}
