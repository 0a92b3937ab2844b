using OrleansLlm.Abstractions.Runners;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Workload;

namespace OrleansLlm.ChurnBench.Runners;

/// <summary>
/// Loads <see cref="BenchRunner"/>s on one host for every system alike: a load takes the model's
/// <see cref="RunnerTimings.LoadSeconds"/> and holds the estimate's GPU memory until disposed.
/// </summary>
internal sealed class BenchRunnerFactory(string host, IReadOnlyDictionary<string, BenchModel> models, RunnerTimings timings, Recorder recorder) : ILlmRunnerFactory
{
    public const string RunnerKind = "bench";

    public string Kind => RunnerKind;

    private readonly HostGpuShare _gpu = new();

    public string Host { get; } = host;

    public async Task<ILlmRunner> LoadAsync(RunnerLoadRequest request, IProgress<float>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var model = models[request.ModelPath];
        var memory = new RunnerMemory(request.Estimate.VramByGpu(request.Devices), request.Estimate.TotalSize);
        var started = recorder.Clock.Now;
        var runner = recorder.LoadStarted(Host, model.Name, memory.VramBytes);
        try
        {
            await recorder.Clock.Delay(timings.LoadSeconds(model.WeightBytes), cancellationToken);
        }
        catch
        {
            recorder.LoadFinished(runner, Host, model.Name, started, memory.VramBytes, succeeded: false);
            throw;
        }
        recorder.LoadFinished(runner, Host, model.Name, started, memory.VramBytes, succeeded: true);
        progress?.Report(1);
        return new BenchRunner(runner, Host, _gpu, model, memory, Math.Max(1, request.NumParallel), timings, recorder);
    }
}
