using System.Runtime.CompilerServices;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Runners;
using OrleansLlm.ChurnBench.Workload;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>
/// A lower bound on the same hosts and runner timings: every model's weights resident on every
/// host from the start (no loads, no evictions, GPU memory unlimited), each request to the
/// least-loaded GPU. A GPU's load is what slows a request on it (<see cref="HostGpuShare"/>): k
/// runners generating each run k× slower, while one more stream in a runner's batch costs 5 %.
/// So the least-loaded GPU for a request is one where its model is already generating with a free
/// slot, else the one with the fewest runners generating, then the fewest requests. (By request
/// count alone the bound spread every model over every GPU and lost to the cluster's one runner
/// per model on Azure's trace.) A scheduler that must load models cannot beat its TTFT, so every
/// system's TTFT is reported as a multiple of it.
/// </summary>
internal sealed class BoundSystem(Scenario scenario, IReadOnlyList<BenchModel> models, Recorder recorder) : ISystemUnderTest
{
    public const string SystemName = "bound";

    private readonly object _gate = new();
    private IReadOnlyDictionary<string, BenchRunner>[] _hosts = [];
    private int[] _requests = [];

    /// <summary>Requests on each host's runner of each model.</summary>
    private Dictionary<string, int>[] _onRunner = [];

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
        _onRunner = [.. _hosts.Select(_ => models.ToDictionary(m => m.Name, _ => 0, StringComparer.Ordinal))];
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(BenchModel model, GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var host = Pick(model.Name);
        try
        {
            await foreach (var item in _hosts[host][model.Name].GenerateAsync(request, cancellationToken))
                yield return item;
        }
        finally
        {
            lock (_gate)
            {
                _requests[host]--;
                _onRunner[host][model.Name]--;
            }
        }
    }

    private int Pick(string model)
    {
        lock (_gate)
        {
            var best = 0;
            for (var i = 1; i < _requests.Length; i++)
            {
                if (Load(i, model).CompareTo(Load(best, model)) < 0)
                    best = i;
            }
            _requests[best]++;
            _onRunner[best][model]++;
            return best;
        }
    }

    /// <summary>What a request for <paramref name="model"/> would meet on a host, the smaller the sooner it runs.</summary>
    private (bool SlotsFull, int Generating, int Requests) Load(int host, string model)
    {
        var mine = _onRunner[host][model];
        var generating = _onRunner[host].Values.Count(n => n > 0) + (mine > 0 ? 0 : 1);
        return (mine >= scenario.NumParallel, generating, _requests[host]);
    }

    // Nothing to unload: the runners hold no memory and recorded no load.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
