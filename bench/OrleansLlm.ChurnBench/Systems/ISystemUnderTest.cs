using OrleansLlm.Abstractions.Models;
using OrleansLlm.ChurnBench.Workload;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>A way of serving the trace on H GPU hosts: the cluster, or independent hosts behind a router.</summary>
internal interface ISystemUnderTest : IAsyncDisposable
{
    string Name { get; }

    Task StartAsync();

    IAsyncEnumerable<GenerationEvent> GenerateAsync(BenchModel model, GenerateRequest request, CancellationToken cancellationToken);
}
