using System.Runtime.CompilerServices;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Runners;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>H independent single-host schedulers (Ollama's policy each) behind a router.</summary>
internal sealed class BaselineSystem(string name, HostRouter router, Scenario scenario, IReadOnlyList<BenchModel> models, Recorder recorder) : ISystemUnderTest
{
    private readonly Dictionary<string, BenchModel> _byPath = models.ToDictionary(m => m.Path, StringComparer.Ordinal);
    private SeedHost[] _hosts = [];

    public string Name { get; } = name;

    public Task StartAsync()
    {
        var gpus = ConfiguredGpuInventory.Parse(scenario.HostGpus);
        var settings = SchedulerSettings.Default with { MaxLoadedModels = scenario.MaxLoadedModels };
        _hosts = [.. recorder.Hosts.Select(host =>
        {
            var factory = new BenchRunnerFactory(host, _byPath, scenario.Timings, recorder);
            var seed = new SeedHost(host, gpus.Gpus, gpus.GetSystemMemory().AsDevice(), settings, scenario.NumParallel,
                scenario.MaxQueue, factory, recorder.Clock.Time, recorder.Clock.Speedup);
            seed.Unloaded += (path, evicted) =>
            {
                if (evicted)
                    recorder.Evicted(_byPath[path].Name);
            };
            return seed;
        })];
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(BenchModel model, GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var host = _hosts[router.Pick(model, request.Runner, _hosts)];
        // The host scales simulated keep-alive to the wall clock itself, with its own delays.
        using var lease = await host.AcquireAsync(model.Path, model.File, request.Runner, KeepAliveDuration.From(model.KeepAlive), cancellationToken);
        await foreach (var item in lease.Runner.GenerateAsync(request, cancellationToken))
            yield return item;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
            await host.DisposeAsync();
    }
}
