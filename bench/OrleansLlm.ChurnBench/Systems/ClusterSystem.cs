using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansLlm.Abstractions;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Runners;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Grains.Hosting;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>
/// The cluster: H real silos in one process (Orleans' test host), each with one host's GPUs and
/// the benchmark runner; requests go through <see cref="ModelClient"/> exactly as the front-end
/// sends them. Evictions are read from the scheduler's own metrics.
/// </summary>
internal sealed class ClusterSystem(Scenario scenario, IReadOnlyList<BenchModel> models, Recorder recorder) : ISystemUnderTest
{
    private readonly Dictionary<string, BenchModel> _byPath = models.ToDictionary(m => m.Path, StringComparer.Ordinal);
    private InProcessTestCluster? _cluster;
    private ModelClient? _client;
    private EvictionListener? _evictions;

    public string Name => "cluster";

    public async Task StartAsync()
    {
        _evictions = new EvictionListener(_byPath, recorder);
        var builder = new InProcessTestClusterBuilder((short)scenario.Hosts);
        builder.ConfigureSilo((options, silo) =>
        {
            var index = int.Parse(options.SiloName.Split('_')[^1], CultureInfo.InvariantCulture);
            silo.AddOrleansLlm(BenchSiloSettings.For(scenario, recorder.Clock, scenario.HostGpus, BenchRunnerFactory.RunnerKind));
            silo.AddOrleansLlmInMemoryState();
            var host = recorder.Hosts[index];
            silo.Services.AddKeyedSingleton<ILlmRunnerFactory>(BenchRunnerFactory.RunnerKind,
                (_, _) => new BenchRunnerFactory(host, _byPath, scenario.Timings, recorder));
        });
        builder.ConfigureClient(client => client.Services.AddOrleansLlmSerialization());
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        _client = new ModelClient(_cluster.Client, scenario.MaxQueue);
    }

    public IAsyncEnumerable<GenerationEvent> GenerateAsync(BenchModel model, GenerateRequest request, CancellationToken cancellationToken) =>
        _client!.GenerateAsync(model.Path, request, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _evictions?.Dispose();
        if (_cluster is not null)
            await _cluster.DisposeAsync();
    }
}
