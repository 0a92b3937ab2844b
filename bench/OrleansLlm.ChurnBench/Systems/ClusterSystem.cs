using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansLlm.Abstractions;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Runners;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Grains.Hosting;
using OrleansLlm.Grains.Telemetry;

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
    private MeterListener? _listener;

    public string Name => "cluster";

    public async Task StartAsync()
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SchedulerMetrics.MeterName && instrument.Name == "ollm.model.unloads")
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>(OnUnload);
        _listener.Start();

        var builder = new InProcessTestClusterBuilder((short)scenario.Hosts);
        builder.ConfigureSilo((options, silo) =>
        {
            var index = int.Parse(options.SiloName.Split('_')[^1], CultureInfo.InvariantCulture);
            var values = new Dictionary<string, string?>
            {
                ["Ollm:Gpus"] = scenario.HostGpus,
                ["Ollm:Runner"] = BenchRunnerFactory.RunnerKind,
                ["Ollm:NumParallel"] = scenario.NumParallel.ToString(CultureInfo.InvariantCulture),
                ["Ollm:MaxQueue"] = scenario.MaxQueue.ToString(CultureInfo.InvariantCulture),
                ["Ollm:MaxLoadedModels"] = scenario.MaxLoadedModels.ToString(CultureInfo.InvariantCulture),
                // The scheduler's own default (5 s), on the run's clock.
                ["Ollm:RePlaceWaitingLoadAfter"] = recorder.Clock.ToReal(TimeSpan.FromSeconds(5)).ToString("c", CultureInfo.InvariantCulture),
            };
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
            silo.AddOrleansLlm(configuration);
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

    private void OnUnload(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? model = null;
        var evicted = false;
        foreach (var (key, tag) in tags)
        {
            if (key == "model")
                model = tag as string;
            else if (key == "reason")
                evicted = tag as string == "evicted";
        }
        if (evicted && model is not null && _byPath.TryGetValue(model, out var m))
            recorder.Evicted(m.Name);
    }

    public async ValueTask DisposeAsync()
    {
        _listener?.Dispose();
        if (_cluster is not null)
            await _cluster.DisposeAsync();
    }
}
