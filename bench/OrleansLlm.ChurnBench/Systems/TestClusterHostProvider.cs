using Orleans.TestingHost;
using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.Grains.Autoscaling;
using OrleansLlm.Scheduling.Autoscaling;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>
/// The elastic system's pool: GPU hosts as additional silos of Orleans' in-process test cluster,
/// one host type, a fixed list of slots. A start is accepted at once and the silo is active about
/// the host start time later, as a Container App's replica is after its start call; a stop is
/// Orleans' graceful stop, so the silo's drain runs before it leaves. The silo's endpoint ties a
/// slot to membership, as the autoscaler matches them.
/// </summary>
/// <param name="hostStart">From the start call until the silo is active (wall clock).</param>
internal sealed class TestClusterHostProvider(HostType type, IReadOnlyList<string> slots, TimeSpan hostStart, FleetRecorder fleet) : IGpuHostProvider, IAsyncDisposable
{
    // The silo being built on this flow: a test cluster names its silos by a counter that a stop
    // winds back, so the silo's configuration learns its slot from here, not from its name.
    private static readonly AsyncLocal<string?> BootingSlot = new();

    private readonly Dictionary<string, Slot> _slots = slots.ToDictionary(id => id, id => new Slot(id), StringComparer.Ordinal);
    private readonly List<Task> _work = [];
    private readonly Lock _lock = new();
    private InProcessTestCluster? _cluster;
    private bool _disposed;
    private TimeSpan _bootTotal;
    private int _boots;

    /// <summary>The slot whose silo the calling flow is building, or null (the control silo).</summary>
    public static string? Booting => BootingSlot.Value;

    public string Name => "testcluster";

    public IReadOnlyList<HostType> HostTypes { get; } = [type];

    /// <summary>The cluster whose additional silos the hosts are; set once it is deployed.</summary>
    public void Attach(InProcessTestCluster cluster) => _cluster = cluster;

    public Task<IReadOnlyList<ProvidedHost>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<ProvidedHost>>([.. _slots.Values.Select(s =>
                new ProvidedHost(s.Id, type.Name, s.Status, s.Silo?.SiloAddress.Endpoint.ToString() ?? ""))]);
    }

    public Task StartAsync(string hostId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var slot = Find(hostId);
            if (slot.Status is ProvidedHostStatus.Starting or ProvidedHostStatus.Running)
                return Task.CompletedTask;
            if (slot.Status == ProvidedHostStatus.Stopping || _disposed)
                throw new InvalidOperationException($"host {hostId} is still stopping");
            slot.Status = ProvidedHostStatus.Starting;
            var generation = ++slot.Generation;
            fleet.Add(hostId, HostEventKind.StartCalled);
            _work.Add(Task.Run(() => BootAsync(slot, generation), CancellationToken.None));
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(string hostId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var slot = Find(hostId);
            slot.Generation++;
            if (slot.Status is ProvidedHostStatus.Stopped or ProvidedHostStatus.Stopping)
                return Task.CompletedTask;
            fleet.Add(hostId, HostEventKind.StopCalled);
            if (slot.Silo is not { } silo)
            {
                // Still waiting for its start delay (or booting: BootAsync stops it when it comes).
                slot.Status = ProvidedHostStatus.Stopped;
                fleet.Add(hostId, HostEventKind.Stopped);
                return Task.CompletedTask;
            }
            slot.Status = ProvidedHostStatus.Stopping;
            _work.Add(Task.Run(() => HaltAsync(slot, silo), CancellationToken.None));
        }
        return Task.CompletedTask;
    }

    private async Task BootAsync(Slot slot, int generation)
    {
        // A host's start includes its silo's own boot, as a container's includes its process's: the
        // wait before it is the host start less the boots seen so far (a silo takes seconds of wall
        // clock on a busy machine, a minute and more of simulated time).
        TimeSpan bootEstimate;
        lock (_lock)
            bootEstimate = _boots == 0 ? TimeSpan.Zero : _bootTotal / _boots;
        if (hostStart > bootEstimate)
            await Task.Delay(hostStart - bootEstimate).ConfigureAwait(false);
        lock (_lock)
        {
            if (slot.Generation != generation || _disposed)
                return; // stopped while it waited
        }
        fleet.Add(slot.Id, HostEventKind.Booting);
        var booting = System.Diagnostics.Stopwatch.StartNew();
        InProcessSiloHandle silo;
        try
        {
            BootingSlot.Value = slot.Id;
            silo = await _cluster!.StartAdditionalSiloAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            lock (_lock)
            {
                if (slot.Generation == generation)
                    slot.Status = ProvidedHostStatus.Failed;
            }
            fleet.Add(slot.Id, HostEventKind.StartFailed);
            await Console.Error.WriteLineAsync($"elastic: host {slot.Id} failed to start: {e.Message}").ConfigureAwait(false);
            return;
        }
        finally
        {
            BootingSlot.Value = null;
        }
        bool stale;
        lock (_lock)
        {
            _bootTotal += booting.Elapsed;
            _boots++;
            stale = slot.Generation != generation || _disposed;
            if (!stale)
            {
                slot.Silo = silo;
                slot.Status = ProvidedHostStatus.Running;
            }
        }
        if (stale)
        {
            // Asked to stop while it booted: it was reported stopped then; take its silo down now.
            await _cluster.StopSiloAsync(silo).ConfigureAwait(false);
            return;
        }
        fleet.Add(slot.Id, HostEventKind.Active);
    }

    private async Task HaltAsync(Slot slot, InProcessSiloHandle silo)
    {
        try
        {
            await _cluster!.StopSiloAsync(silo).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Its host is gone either way, as a replica past its grace period is.
            await Console.Error.WriteLineAsync($"elastic: host {slot.Id} did not stop cleanly: {e.Message}").ConfigureAwait(false);
        }
        lock (_lock)
        {
            slot.Silo = null;
            slot.Status = ProvidedHostStatus.Stopped;
        }
        fleet.Add(slot.Id, HostEventKind.Stopped);
    }

    private Slot Find(string hostId) =>
        _slots.TryGetValue(hostId, out var slot) ? slot : throw new ArgumentException($"no host {hostId} in the pool", nameof(hostId));

    /// <summary>Waits for starts and stops under way; the cluster's own disposal takes the silos down.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] work;
        lock (_lock)
        {
            _disposed = true;
            work = [.. _work];
        }
        await Task.WhenAll(work).ConfigureAwait(false);
    }

    private sealed class Slot(string id)
    {
        public string Id { get; } = id;

        public ProvidedHostStatus Status { get; set; } = ProvidedHostStatus.Stopped;

        public int Generation { get; set; }

        public InProcessSiloHandle? Silo { get; set; }
    }
}
