using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Cluster.Tests;

/// <summary>A model's usage report to its GPU silo fails once: the request is served, and the model is idle (and expires) afterwards.</summary>
public sealed class UsageReportFailureTests : IAsyncLifetime
{
    private readonly FailOnce _failOnce = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(["cuda:24GiB"], services: services => services.AddSingleton<IIncomingGrainCallFilter>(_failOnce));

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_failed_usage_report_leaves_no_reference_behind()
    {
        var path = TestModels.Small("usage-report");
        var client = new ModelClient(_cluster.Client, 512);
        var request = new GenerateRequest { Prompt = "hi", KeepAlive = KeepAliveDuration.From(TimeSpan.FromSeconds(2)), Sampling = SamplingOptions.Default with { NumPredict = 3 } };
        _failOnce.Arm();

        var events = await client.GenerateAsync(path, request).ToListAsync();

        Assert.True(_failOnce.Failed, "the report did fail");
        Assert.Equal(GenerationEventKind.Done, events[^1].Kind);
        var status = await _cluster.Client.GetGrain<IModelGrain>(path).GetStatus();
        Assert.Equal(0, status.RefCount);
        Assert.NotNull(status.ExpiresAt);
        await ClusterView.Eventually(async () => !await _cluster.IsLoaded(path), TimeSpan.FromSeconds(30), "the idle model expires");
    }

    private sealed class FailOnce : IIncomingGrainCallFilter
    {
        private int _armed;

        public bool Failed { get; private set; }

        public void Arm() => Interlocked.Exchange(ref _armed, 1);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(IGpuSiloGrain.ReportUsage) && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                Failed = true;
                throw new TimeoutException("the GPU silo did not answer ReportUsage");
            }
            return context.Invoke();
        }
    }
}
