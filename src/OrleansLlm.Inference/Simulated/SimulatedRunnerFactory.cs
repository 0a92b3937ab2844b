using Microsoft.Extensions.Options;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Runners;

namespace OrleansLlm.Inference.Simulated;

/// <summary>
/// Loads <see cref="SimulatedRunner"/>s: load time and memory come from the placement's estimate,
/// tokens stream at a configured rate. For cluster tests, demos and capacity planning without GPUs.
/// </summary>
public sealed class SimulatedRunnerFactory(IOptions<SimulatedRunnerOptions> options, TimeProvider clock) : ILlmRunnerFactory
{
    public string Kind => "simulated";

    public async Task<ILlmRunner> LoadAsync(RunnerLoadRequest request, IProgress<float>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        var total = request.Estimate.TotalSize;
        var duration = TimeSpan.FromSeconds(total / settings.LoadBytesPerSecond);
        const int steps = 10;
        for (var step = 1; step <= steps; step++)
        {
            await Task.Delay(duration / steps, clock, cancellationToken).ConfigureAwait(false);
            progress?.Report(step / (float)steps);
            if (step == steps / 2 && settings.FailingModels.Any(m => request.ModelPath.Contains(m, StringComparison.Ordinal)))
                throw new ModelLoadException($"llama_model_load: error loading model: simulated failure loading '{request.ModelPath}'");
        }
        return new SimulatedRunner(new RunnerMemory(request.Estimate.VramByGpu(request.Devices), total), settings, clock);
    }
}
