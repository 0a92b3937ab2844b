using System.Runtime.CompilerServices;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Runners;
using OrleansLlm.ChurnBench.Workload;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>
/// A lower bound on the same hosts and runner timings: every model's weights resident on every
/// host from the start (no loads, no evictions, GPU memory unlimited), each request to the host
/// whose GPU has the fewest requests on it. A scheduler that must load models cannot beat its TTFT,
/// so every system's TTFT is reported as a multiple of it.
/// </summary>
internal sealed class BoundSystem(Scenario scenario, IReadOnlyList<BenchModel> models, Recorder recorder) : ISystemUnderTest
{
    public const string SystemName = "bound";

    private readonly object _gate = new();
    private IReadOnlyDictionary<string, BenchRunner>[] _hosts = [];
    private int[] _requests = [];

    public string Name => SystemName;

    public Task StartAsync()
    {
        // Ready at time 0 and holding no memory: resident since before the trace, never unloaded.
        var none = new RunnerMemory(new Dictionary<string, long>(), 0);
        _hosts = [.. recorder.Hosts.Select(host =>
        {
            var gpu = new HostGpuShare();
            return (IReadOnlyDictionary<string, BenchRunner>)models.ToDictionary(m => m.Name,
                m => new BenchRunner(0, host, gpu, m, none, scenario.NumParallel, scenario.Timings, recorder, ready: 0), StringComparer.Ordinal);
        })];
        _requests = new int[_hosts.Length];
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(BenchModel model, GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var host = Pick();
        try
        {
            await foreach (var item in _hosts[host][model.Name].GenerateAsync(request, cancellationToken))
                yield return item;
        }
        finally
        {
            lock (_gate)
                _requests[host]--;
        }
    }

    private int Pick()
    {
        lock (_gate)
        {
            var best = 0;
            for (var i = 1; i < _requests.Length; i++)
            {
                if (_requests[i] < _requests[best])
                    best = i;
            }
            _requests[best]++;
            return best;
        }
    }

    // Nothing to unload: the runners hold no memory and recorded no load.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
