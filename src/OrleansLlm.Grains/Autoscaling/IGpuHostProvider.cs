using OrleansLlm.Scheduling.Autoscaling;

namespace OrleansLlm.Grains.Autoscaling;

/// <summary>
/// Where GPU hosts come from: a fixed pool of hosts, each provisioned once (a one-replica
/// Container App, a local process slot with its own port pair), that the autoscaler starts and
/// stops. Starting a host runs a GPU silo that joins the cluster; stopping it sends SIGTERM, so
/// the silo drains (README "Graceful shutdown") before it leaves.
/// </summary>
public interface IGpuHostProvider
{
    /// <summary>The provider's name in logs and on the dashboard (<c>process</c>, <c>containerapps</c>).</summary>
    string Name { get; }

    /// <summary>The host types of the pool.</summary>
    IReadOnlyList<HostType> HostTypes { get; }

    /// <summary>Every host of the pool and what the provider says of it.</summary>
    Task<IReadOnlyList<ProvidedHost>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Asks a stopped host to start; returns once the provider has accepted (not when the silo is ready).</summary>
    Task StartAsync(string hostId, CancellationToken cancellationToken);

    /// <summary>Asks a host to stop (its silo drains first); returns once the provider has accepted.</summary>
    Task StopAsync(string hostId, CancellationToken cancellationToken);
}

/// <summary>One host of a provider's pool.</summary>
/// <param name="Id">Its name in the pool (a Container App's name, a local slot's).</param>
/// <param name="Type">Its <see cref="HostType.Name"/>.</param>
/// <param name="SiloEndpoint">The <c>ip:port</c> its silo advertises, which ties it to Orleans membership.</param>
[GenerateSerializer, Immutable, Alias("ollm.ProvidedHost")]
public sealed record ProvidedHost(
    [property: Id(0)] string Id,
    [property: Id(1)] string Type,
    [property: Id(2)] ProvidedHostStatus Status,
    [property: Id(3)] string SiloEndpoint);

/// <summary>What a provider says of a host, before Orleans membership says whether its silo is active.</summary>
public enum ProvidedHostStatus
{
    Stopped,
    Starting,
    Running,
    Stopping,

    /// <summary>The provider reports a failure (a start refused for quota, a process that exited on its own).</summary>
    Failed,
}
