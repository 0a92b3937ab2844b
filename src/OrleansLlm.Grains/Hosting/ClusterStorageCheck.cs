using Microsoft.Extensions.Hosting;

namespace OrleansLlm.Grains.Hosting;

/// <summary>Start-up fails with an error naming the cluster storage when it does not answer (see <see cref="ClusterStorage.EnsureReachableAsync"/>).</summary>
public sealed class ClusterStorageCheck(ClusterSettings settings) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => ClusterStorage.EnsureReachableAsync(settings, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
