using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansLlm.Abstractions;
using OrleansLlm.Abstractions.Autoscaling;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Reporting;
using OrleansLlm.ChurnBench.Runners;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Grains.Autoscaling;
using OrleansLlm.Grains.Hosting;
using OrleansLlm.Grains.Models;
using OrleansLlm.Scheduling.Autoscaling;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>
/// The elastic cluster: one always-on control silo (no GPUs, the autoscaler on) and a pool of GPU
/// hosts of the scenario's type that the autoscaler starts and stops through
/// <see cref="TestClusterHostProvider"/>, from zero (or the minimum) up to the pool's size.
/// Requests go through <see cref="ModelClient"/> as a front-end with the autoscaler on sends them:
/// a model no running host takes is reported, and the request waits for a host. Every delay of
/// the autoscaler is simulated time, divided by the speedup like the scheduler's own.
/// </summary>
internal sealed partial class ElasticSystem(Scenario scenario, IReadOnlyList<BenchModel> models, Recorder recorder) : ISystemUnderTest
{
    public const string SystemName = "elastic";

    /// <summary>How often (wall clock) the autoscaler's status is read: it keeps only its last 100 decisions.</summary>
    private static readonly TimeSpan StatusPoll = TimeSpan.FromMilliseconds(250);

    private readonly Dictionary<string, BenchModel> _byPath = models.ToDictionary(m => m.Path, StringComparer.Ordinal);
    private readonly OutsideStore _store = new();
    private readonly ConcurrentQueue<(long Timestamp, string Model)> _reports = new();
    private readonly ConcurrentDictionary<ScaleEvent, byte> _decisions = new();
    private readonly ConcurrentQueue<(long Timestamp, string Unmet)> _unmet = new();
    private readonly CancellationTokenSource _stop = new();
    private InProcessTestCluster? _cluster;
    private TestClusterHostProvider? _provider;
    private ModelClient? _client;
    private EvictionListener? _evictions;
    private Task _watch = Task.CompletedTask;

    public string Name => SystemName;

    public FleetRecorder Fleet { get; } = new(recorder.Clock);

    public AutoscalerSettings Settings => scenario.Autoscaler with { MinHosts = scenario.MinHosts, MaxHosts = scenario.ElasticMaxHosts };

    /// <summary>What the pool and the autoscaler did, in simulated seconds (complete once the system is disposed).</summary>
    public ElasticRun Run()
    {
        var clock = recorder.Clock;
        var decisions = _decisions.Keys.OrderBy(d => d.At)
            .Select(d => (clock.At(d.At), d.Action, d.HostId, Readable(d.Reason), d.Carried)).ToArray();
        var reports = _reports.Select(r => (clock.At(r.Timestamp), _byPath.TryGetValue(r.Model, out var m) ? m.Name : r.Model))
            .OrderBy(r => r.Item1).ToArray();
        var unmet = _unmet.Select(u => (clock.At(u.Timestamp), Readable(u.Unmet))).ToArray();
        return new ElasticRun(Fleet.Lives(), decisions, reports, unmet, Settings);
    }

    /// <summary>
    /// A reason as a reader of the results needs it: each model's path replaced by its name, and
    /// each duration (the grain formats them on the wall clock it runs on) on the simulated clock.
    /// </summary>
    private string Readable(string reason)
    {
        foreach (var (path, model) in _byPath)
            reason = reason.Replace(path, model.Name, StringComparison.Ordinal);
        return Durations().Replace(reason, match =>
        {
            var seconds = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * (match.Groups[2].Value == "min" ? 60 : 1) * recorder.Clock.Speedup;
            return seconds >= 60
                ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.#} min")
                : string.Create(CultureInfo.InvariantCulture, $"{seconds:0.#} s");
        });
    }

    [GeneratedRegex(@"\b(\d+(?:\.\d+)?) (s|min)\b")]
    private static partial Regex Durations();

    public async Task StartAsync()
    {
        var clock = recorder.Clock;
        _evictions = new EvictionListener(_byPath, recorder);
        var type = new HostType(scenario.HostGpus, [.. ConfiguredGpuInventory.ParseGpus(scenario.HostGpus).Select(g => g.TotalMemory)], 1);
        _provider = new TestClusterHostProvider(type, recorder.Hosts, clock.ToReal(scenario.HostStart), Fleet);
        var s = Settings;
        var autoscaler = new AutoscalerOptions
        {
            Mode = AutoscalerMode.On,
            Provider = _provider.Name,
            Settings = s with
            {
                ScaleInDelay = clock.ToReal(s.ScaleInDelay),
                IdleToZeroDelay = clock.ToReal(s.IdleToZeroDelay),
                MinHostLifetime = clock.ToReal(s.MinHostLifetime),
                StartTimeout = clock.ToReal(s.StartTimeout),
                WaitBudget = clock.ToReal(s.WaitBudget),
                Backoff = clock.ToReal(s.Backoff),
                MaxBackoff = clock.ToReal(s.MaxBackoff),
            },
            Tick = clock.ToReal(TimeSpan.FromSeconds(1)),
            HostWait = clock.ToReal(scenario.HostWait),
        };

        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            var slot = TestClusterHostProvider.Booting;
            // The control silo holds no model and has no GPU; it needs no benchmark runner either.
            var configuration = BenchSiloSettings.For(scenario, clock, slot is null ? "" : scenario.HostGpus, slot is null ? "simulated" : BenchRunnerFactory.RunnerKind);
            silo.AddOrleansLlm(configuration);
            silo.Services.AddSingleton(_store);
            silo.Services.AddKeyedSingleton<IGrainStorage, OutsideGrainStorage>(OrleansLlmStorage.Name);
            silo.Services.AddSingleton<IReminderTable, OutsideReminderTable>();
            if (slot is null)
            {
                silo.Services.AddSingleton<IGpuHostProvider>(_provider);
                silo.AddOrleansLlmControl(configuration, autoscaler, new ClusterSettings());
                silo.AddIncomingGrainCallFilter(context =>
                {
                    if (context.InterfaceMethod?.Name == nameof(IAutoscalerGrain.ReportUnplaceable) && context.Request.GetArgument(0) is string model)
                        _reports.Enqueue((clock.Time.GetTimestamp(), model));
                    return context.Invoke();
                });
            }
            else
            {
                silo.Services.AddKeyedSingleton<ILlmRunnerFactory>(BenchRunnerFactory.RunnerKind,
                    (_, _) => new BenchRunnerFactory(slot, _byPath, scenario.Timings, recorder));
            }
        });
        builder.ConfigureClient(client => client.Services.AddOrleansLlmSerialization());
        _cluster = builder.Build();
        _provider.Attach(_cluster);
        await _cluster.DeployAsync();
        _client = new ModelClient(_cluster.Client, scenario.MaxQueue, autoscaler.ClientWait);
        _watch = WatchAsync(_cluster.Client, _stop.Token);

        // The autoscaler keeps the minimum from going, but starts hosts only for demand: the
        // minimum is started here, as a deployment starts its always-on replicas.
        foreach (var host in recorder.Hosts.Take(scenario.MinHosts))
            await _provider.StartAsync(host, CancellationToken.None);
        while (Fleet.Lives().Count(l => l.Active is not null) < scenario.MinHosts)
            await Task.Delay(TimeSpan.FromMilliseconds(50));
    }

    public IAsyncEnumerable<GenerationEvent> GenerateAsync(BenchModel model, GenerateRequest request, CancellationToken cancellationToken) =>
        _client!.GenerateAsync(model.Path, request, cancellationToken);

    /// <summary>Reads the autoscaler's decisions until stopped (it keeps only its latest).</summary>
    private async Task WatchAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        var autoscaler = grains.GetGrain<IAutoscalerGrain>(0);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var status = await autoscaler.GetStatus().WaitAsync(cancellationToken);
                foreach (var decision in status.Decisions)
                    _decisions.TryAdd(decision, 0);
                var now = recorder.Clock.Time.GetTimestamp();
                foreach (var unmet in status.Unmet)
                    _unmet.Enqueue((now, unmet));
                await Task.Delay(StatusPoll, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                // A busy control silo answers late: read again at the next poll.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watch;
        if (_cluster is not null)
        {
            // The last decisions (a stop at the very end) before the silos go.
            foreach (var decision in (await _cluster.Client.GetGrain<IAutoscalerGrain>(0).GetStatus()).Decisions)
                _decisions.TryAdd(decision, 0);
        }
        if (_provider is not null)
            await _provider.DisposeAsync();
        _evictions?.Dispose();
        if (_cluster is not null)
            await _cluster.DisposeAsync();
        _stop.Dispose();
    }
}
