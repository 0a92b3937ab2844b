using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// Unloads that are slow or fail: a load that must evict a model already unloading waits for that
/// unload once (it does not ask the silo again and again), and a runner that fails to close still
/// gives its room back. One 24 GiB GPU: two 14 GiB models never fit together.
/// </summary>
public sealed class UnloadFailureTests : IAsyncLifetime
{
    private readonly CallCounter _calls = new();

    /// <summary>Runners of "slow-close…" models take 3 s to close; those of "bad-close…" models throw.</summary>
    private readonly RunnerHooks _hooks = new()
    {
        Close = async path =>
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith("slow-close", StringComparison.Ordinal))
                await Task.Delay(TimeSpan.FromSeconds(3));
            if (name.StartsWith("bad-close", StringComparison.Ordinal))
                throw new InvalidOperationException("the runner process did not exit");
        },
    };
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:24GiB"], new Dictionary<string, string?>
        {
            ["Ollm:Runner"] = RunnerHooks.Kind,
            ["Ollm:LoadTimeout"] = "00:00:20",
        }, services =>
        {
            services.AddSingleton<IIncomingGrainCallFilter>(_calls);
            _hooks.Register(services);
        });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ModelClient Client => new(_cluster.Client, 512);

    [Fact]
    public async Task A_load_that_must_evict_a_model_already_unloading_waits_for_it_without_asking_again_and_again()
    {
        // The victim expires after 1 s and takes 3 s to close; the new model needs its room meanwhile.
        var victim = TestModels.Large("slow-close-victim");
        await Generate(victim, KeepAliveDuration.From(TimeSpan.FromSeconds(1)));
        await ClusterView.Eventually(async () => (await _cluster.Client.GetGrain<IModelGrain>(victim).GetStatus()).State == ModelState.Unloading, TimeSpan.FromSeconds(30), "the victim is unloading");
        var before = _calls.Count(nameof(IGpuSiloGrain.AcquireLoad));

        await Generate(TestModels.Large("after-slow-close"), null);

        Assert.InRange(_calls.Count(nameof(IGpuSiloGrain.AcquireLoad)) - before, 1, 4);
        Assert.False(await _cluster.IsLoaded(victim));
    }

    [Fact]
    public async Task A_runner_that_fails_to_close_still_gives_its_room_back()
    {
        var broken = TestModels.Large("bad-close");
        await Generate(broken, KeepAliveDuration.Zero);
        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(broken), TimeSpan.FromSeconds(30), "the model unloaded");

        await Generate(TestModels.Large("after-bad-close"), null); // needs the whole room the broken runner had

        Assert.DoesNotContain((await _cluster.Snapshots()).Single().Host.Runners, r => r.ModelPath == broken);
    }

    private async Task Generate(string path, KeepAliveDuration? keepAlive)
    {
        var events = await Client.GenerateAsync(path, new GenerateRequest { Prompt = "hi", KeepAlive = keepAlive, Sampling = SamplingOptions.Default with { NumPredict = 2 } }).ToListAsync();
        Assert.Equal(GenerationEventKind.Done, events[^1].Kind);
    }

    private sealed class CallCounter : IIncomingGrainCallFilter
    {
        private readonly ConcurrentDictionary<string, int> _counts = new();

        public int Count(string method) => _counts.GetValueOrDefault(method);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod is { } method)
                _counts.AddOrUpdate(method.Name, 1, (_, n) => n + 1);
            return context.Invoke();
        }
    }
}
