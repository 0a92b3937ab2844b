using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;

namespace OrleansLlm.ChurnBench.Tests;

/// <summary>Loads runners when the test says so (or at once), and logs every load and unload in order.</summary>
internal sealed class ScriptedRunnerFactory(bool loadAtOnce = true) : ILlmRunnerFactory
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Log { get; } = new();

    public string Kind => "scripted";

    public async Task<ILlmRunner> LoadAsync(RunnerLoadRequest request, IProgress<float>? progress, CancellationToken cancellationToken)
    {
        var name = Path.GetFileNameWithoutExtension(request.ModelPath);
        Log.Enqueue("load " + name);
        if (!loadAtOnce)
            await Gate(name).Task.WaitAsync(cancellationToken);
        Log.Enqueue("ready " + name);
        return new Runner(name, this, new RunnerMemory(request.Estimate.VramByGpu(request.Devices), request.Estimate.TotalSize));
    }

    /// <summary>Lets the load of <paramref name="name"/> finish.</summary>
    public void Finish(string name) => Gate(name).TrySetResult();

    private TaskCompletionSource Gate(string name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private sealed class Runner(string name, ScriptedRunnerFactory factory, RunnerMemory memory) : ILlmRunner
    {
        public RunnerMemory Memory { get; } = memory;

        public async IAsyncEnumerable<GenerationEvent> GenerateAsync(GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return GenerationEvent.Token(name);
        }

        public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> inputs, bool truncate, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<float[]>>([]);

        public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public ValueTask DisposeAsync()
        {
            factory.Log.Enqueue("unload " + name);
            return ValueTask.CompletedTask;
        }
    }
}
