using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Orleans.TestingHost;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Grains.Telemetry;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// Every way a runner goes is counted on <c>ollm.model.unloads</c> with its own reason, and with its
/// age on <c>ollm.model.unload.age</c> (evictions: the real process's /metrics test).
/// </summary>
public sealed class UnloadReasonMetricsTests : IAsyncLifetime
{
    private readonly RunnerHooks _hooks = new() { Healthy = (path, load) => !(path.EndsWith("reason-failed.gguf", StringComparison.Ordinal) && load == 1) };
    private readonly ConcurrentQueue<(string Instrument, string Model, string Reason, double Value)> _seen = new();
    private readonly MeterListener _listener = new();
    private InProcessTestCluster _cluster = null!;

    public UnloadReasonMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SchedulerMetrics.MeterName && instrument.Name is "ollm.model.unloads" or "ollm.model.unload.age")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:48GiB"], new Dictionary<string, string?> { ["Ollm:Runner"] = RunnerHooks.Kind }, _hooks.Register);

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _cluster.DisposeAsync();
    }

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task An_unload_request_is_counted_as_requested()
    {
        var path = TestModels.Small("reason-requested");
        await Generate(path, new GenerateRequest());
        Assert.True(await _cluster.Client.GetGrain<IModelGrain>(path).Unload());
        await Counted(path, "requested");
    }

    [Fact]
    public async Task Keep_alive_zero_is_counted_as_keep_alive_zero()
    {
        var path = TestModels.Small("reason-zero");
        await Generate(path, new GenerateRequest { KeepAlive = KeepAliveDuration.Zero });
        await Counted(path, "keep_alive_zero");
    }

    [Fact]
    public async Task A_keep_alive_running_out_is_counted_as_expired()
    {
        var path = TestModels.Small("reason-expired");
        await Generate(path, new GenerateRequest { KeepAlive = KeepAliveDuration.From(TimeSpan.FromSeconds(0.5)) });
        await Counted(path, "expired");
    }

    [Fact]
    public async Task Other_runner_options_are_counted_as_reload_and_a_failed_health_check_as_failed()
    {
        var options = TestModels.Small("reason-reload");
        await Generate(options, new GenerateRequest { Runner = RunnerOptions.Default with { NumCtx = 2048 } });
        await Generate(options, new GenerateRequest { Runner = RunnerOptions.Default with { NumCtx = 8192 } });
        await Counted(options, "reload");

        // Its first runner fails the health check the next request makes: reloaded, and served.
        var unhealthy = TestModels.Small("reason-failed");
        await Generate(unhealthy, new GenerateRequest());
        await Generate(unhealthy, new GenerateRequest());
        await Counted(unhealthy, "failed");
        Assert.DoesNotContain(_seen, s => s.Model == unhealthy && s.Reason == "reload");
    }

    [Fact]
    public async Task A_drain_is_counted_as_drained()
    {
        var path = TestModels.Small("reason-drained");
        await Generate(path, new GenerateRequest());
        var grain = _cluster.Client.GetGrain<IModelGrain>(path);
        Assert.True(await grain.Drain());
        await Counted(path, "drained");

        // Still wanted (kept alive), it is placed again and loads; then unloaded, so that the
        // cluster's own shutdown has nothing left to place.
        await ClusterView.Eventually(async () => (await grain.GetStatus()).State == ModelState.Ready, TimeSpan.FromSeconds(30), "the drained model loads again");
        await grain.Unload();
        await ClusterView.Eventually(async () => (await grain.GetStatus()).State == ModelState.Unloaded, TimeSpan.FromSeconds(30), "the model unloads");
    }

    /// <summary>One unload of <paramref name="model"/> with <paramref name="reason"/>, and one age observation with it, the age no longer than the test.</summary>
    private async Task Counted(string model, string reason)
    {
        await ClusterView.Eventually(() => Task.FromResult(_seen.Any(s => s.Model == model && s.Instrument == "ollm.model.unload.age")), TimeSpan.FromSeconds(30), $"an unload of {model}");
        var unloads = _seen.Where(s => s.Model == model && s.Instrument == "ollm.model.unloads").ToArray();
        var (_, _, counted, value) = Assert.Single(unloads);
        Assert.Equal(reason, counted);
        Assert.Equal(1, value);
        var age = Assert.Single(_seen, s => s.Model == model && s.Instrument == "ollm.model.unload.age");
        Assert.Equal(reason, age.Reason);
        Assert.InRange(age.Value, 0, 120);
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? model = null, reason = null;
        foreach (var (key, tag) in tags)
        {
            if (key == "model")
                model = tag as string;
            else if (key == "reason")
                reason = tag as string;
        }
        if (model is not null && reason is not null)
            _seen.Enqueue((instrument.Name, model, reason, value));
    }

    private async Task Generate(string path, GenerateRequest request)
    {
        var events = await Client.GenerateAsync(path, request with { Prompt = "hi", Sampling = SamplingOptions.Default with { NumPredict = 2 } }).ToListAsync();
        Assert.Equal(GenerationEventKind.Done, events[^1].Kind);
    }
}
