using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Inference.Simulated;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// The simulated runner with what a test needs to make go wrong: a load that stalls, a health
/// check that fails, a close that is slow or throws. Register with <see cref="Register"/> and set
/// <c>Ollm:Runner</c> to <see cref="Kind"/>.
/// </summary>
internal sealed class RunnerHooks
{
    public const string Kind = "hooked";

    /// <summary>Instead of loading, for the models it returns a task for (it must end by cancellation or throw).</summary>
    public Func<RunnerLoadRequest, IProgress<float>?, CancellationToken, Task?> Load { get; init; } = (_, _, _) => null;

    /// <summary>The health of the n-th runner loaded for a model (1 = the first load).</summary>
    public Func<string, int, bool> Healthy { get; init; } = (_, _) => true;

    /// <summary>Runs when a model's runner is closed (after the simulated runner closed).</summary>
    public Func<string, Task> Close { get; init; } = _ => Task.CompletedTask;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _loads = new();

    /// <summary>How many runners were loaded for the model.</summary>
    public int Loads(string path) => _loads.GetValueOrDefault(path);

    public void Register(IServiceCollection services) =>
        services.AddKeyedSingleton<ILlmRunnerFactory>(Kind, (sp, _) =>
            new Factory(new SimulatedRunnerFactory(sp.GetRequiredService<IOptions<SimulatedRunnerOptions>>(), TimeProvider.System), this));

    private sealed class Factory(SimulatedRunnerFactory inner, RunnerHooks hooks) : ILlmRunnerFactory
    {
        public string Kind => RunnerHooks.Kind;

        public async Task<ILlmRunner> LoadAsync(RunnerLoadRequest request, IProgress<float>? progress, CancellationToken cancellationToken)
        {
            if (hooks.Load(request, progress, cancellationToken) is { } instead)
            {
                await instead;
                throw new InvalidOperationException($"the load hook of '{request.ModelPath}' ended without failing");
            }
            var runner = await inner.LoadAsync(request, progress, cancellationToken);
            return new Runner(runner, request.ModelPath, hooks._loads.AddOrUpdate(request.ModelPath, 1, (_, n) => n + 1), hooks);
        }
    }

    private sealed class Runner(ILlmRunner inner, string path, int load, RunnerHooks hooks) : ILlmRunner
    {
        public RunnerMemory Memory => inner.Memory;

        public IAsyncEnumerable<GenerationEvent> GenerateAsync(GenerateRequest request, CancellationToken cancellationToken) => inner.GenerateAsync(request, cancellationToken);

        public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> inputs, bool truncate, CancellationToken cancellationToken) => inner.EmbedAsync(inputs, truncate, cancellationToken);

        public async Task<bool> PingAsync(CancellationToken cancellationToken) => hooks.Healthy(path, load) && await inner.PingAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await hooks.Close(path);
        }
    }
}
