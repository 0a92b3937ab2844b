namespace OrleansLlm.Abstractions.Runners;

/// <summary>Loads runners: <c>llama</c> (LLamaSharp) or <c>simulated</c> (<c>OLLM_RUNNER</c>).</summary>
public interface ILlmRunnerFactory
{
    string Kind { get; }

    /// <summary>Loads a model on the given devices; progress from 0 to 1; cancellable.</summary>
    /// <exception cref="Errors.ModelLoadException">The model cannot be loaded; the message says why.</exception>
    Task<ILlmRunner> LoadAsync(RunnerLoadRequest request, IProgress<float>? progress, CancellationToken cancellationToken);
}
