using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Grains.Models;
using OrleansLlm.Grains.Placement;
using OrleansLlm.Scheduling.Eviction;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Grains.Gpus;

/// <summary>
/// One silo's GPUs and the runners reserved on them. Every decision happens inside one turn
/// (no await between reading the state and changing it), so reservations are atomic. Loads that
/// cannot proceed wait in a FIFO; a later load that fits without evicting anything may overtake
/// the head, at most <see cref="MaxOvertakes"/> times in a row, so the head is never starved.
/// </summary>
[SiloBoundPlacement, Immovable, KeepAlive]
internal sealed partial class GpuSiloGrain(
    IGpuInventory inventory,
    ModelHeaderCache headers,
    IOptions<OllmOptions> options,
    TimeProvider clock,
    ILogger<GpuSiloGrain> logger) : Grain, IGpuSiloGrain
{
    /// <summary>A director's claim not followed by a load within this time is dropped.</summary>
    internal static readonly TimeSpan ClaimLifetime = TimeSpan.FromSeconds(30);

    internal const int MaxOvertakes = 3;

    /// <summary>How long a model sent away to be re-placed is refused here without a new claim.</summary>
    internal static readonly TimeSpan RelocationMemory = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, DateTimeOffset> _relocatedAway = new(StringComparer.Ordinal);

    private readonly Dictionary<string, Reservation> _reservations = new(StringComparer.Ordinal);
    private readonly List<string> _queue = [];
    private int _overtakes;
    private long _loadsGranted;
    private long _version;
    private TaskCompletionSource<long> _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OllmOptions Settings => options.Value;

    public Task<SiloSnapshot> GetSnapshot()
    {
        ExpireClaims();
        return Task.FromResult(new SiloSnapshot(this.GetPrimaryKeyString(), Host(exclude: null), _version, inventory.Source, _queue.Count, _loadsGranted));
    }

    public Task<bool> Claim(string modelPath, RunnerOptions options, HostChoiceKind expected)
    {
        ExpireClaims();
        if (_reservations.TryGetValue(modelPath, out var existing) && existing.Kind != ReservationKind.Claim)
            return Task.FromResult(true);
        var decision = PlacementPlanner.Plan(headers.Get(modelPath), options, Host(exclude: modelPath), Settings.SchedulerSettings);
        if (!ClusterPlacement.StillHolds(expected, decision))
            return Task.FromResult(false);
        _relocatedAway.Remove(modelPath);
        var expires = clock.GetUtcNow() + ClaimLifetime;
        if (decision.Outcome == PlacementOutcome.Load)
        {
            _reservations[modelPath] = Reservation.For(ReservationKind.Claim, decision) with { ClaimExpires = expires, ClaimedAs = expected };
        }
        else
        {
            _reservations.Remove(modelPath);
            Enqueue(modelPath);
            _reservations[modelPath] = Reservation.QueueOnly(expires) with { ClaimedAs = expected };
        }
        Changed();
        return Task.FromResult(true);
    }

    public Task<LoadTicket> AcquireLoad(string modelPath, RunnerOptions options, int relocations)
    {
        ExpireClaims();
        _reservations.TryGetValue(modelPath, out var existing);
        if (existing is { Kind: ReservationKind.Loading or ReservationKind.Loaded })
            return Ticket(LoadOutcome.Granted, existing.Devices, existing.Estimate, "already reserved");

        var host = Host(exclude: modelPath);
        var decision = PlacementPlanner.Plan(headers.Get(modelPath), options, host, Settings.SchedulerSettings);
        var firstAsk = !_queue.Contains(modelPath);
        Enqueue(modelPath);
        var waitingAhead = _queue.IndexOf(modelPath);

        if (existing is null && _relocatedAway.TryGetValue(modelPath, out var leftAt) && clock.GetUtcNow() - leftAt < RelocationMemory)
        {
            // Sent away moments ago, and back without the director's claim (Orleans may re-create a
            // deactivating grain where its messages were queued): send it to the director again.
            _queue.Remove(modelPath);
            return Ticket(LoadOutcome.Relocate, [], null, "it was just re-placed away from this silo");
        }
        var onlyPartially = decision.Outcome == PlacementOutcome.Load && !ClusterPlacement.StillHolds(HostChoiceKind.FitsNow, decision);
        if (onlyPartially && relocations == 0 && existing?.ClaimedAs != HostChoiceKind.FitsPartially)
        {
            // Partial offload or CPU here, and the director did not choose that knowingly (a
            // reload with a larger context, a restore): another silo may hold it whole.
            _reservations.Remove(modelPath);
            _queue.Remove(modelPath);
            Changed();
            _relocatedAway[modelPath] = clock.GetUtcNow();
            return Ticket(LoadOutcome.Relocate, [], null, $"it fits only partially here ({decision.Reason})");
        }
        if (decision.Outcome == PlacementOutcome.Load && (waitingAhead == 0 || _overtakes < MaxOvertakes))
        {
            _overtakes = waitingAhead == 0 ? 0 : _overtakes + 1;
            _queue.Remove(modelPath);
            _reservations[modelPath] = Reservation.For(ReservationKind.Loading, decision);
            _loadsGranted++;
            CheckNothingOverReserved();
            Changed();
            LogGranted(logger, modelPath, string.Join(",", decision.Devices.Select(d => d.Id)), decision.Reason);
            return Ticket(LoadOutcome.Granted, decision.Devices, decision.Estimate, decision.Reason);
        }

        // Not loading now: a provisional claim must not hold room while the model waits.
        _reservations.Remove(modelPath);
        if (decision.Outcome == PlacementOutcome.TooLarge)
        {
            // Another silo may hold it (a reload with a larger context, say): let the director decide.
            _queue.Remove(modelPath);
            Changed();
            if (relocations == 0)
                _relocatedAway[modelPath] = clock.GetUtcNow();
            return Ticket(relocations == 0 ? LoadOutcome.Relocate : LoadOutcome.TooLarge, [], null, decision.Reason);
        }
        if (existing is { Kind: ReservationKind.Claim, Devices.Count: > 0 } && relocations == 0)
        {
            // The director saw room here that is gone: placing again with a fresh view beats waiting.
            _queue.Remove(modelPath);
            Changed();
            return Ticket(LoadOutcome.Relocate, [], null, $"the room seen at placement is gone ({decision.Reason})");
        }
        if (existing is null && firstAsk && relocations == 0 && decision.Outcome == PlacementOutcome.NeedsEviction)
        {
            // A model loading again where it last ran (after an eviction or expiry, its activation
            // still here) was never placed for this load: before it evicts or waits here, let the
            // director look at the whole cluster — another silo may have room now.
            _queue.Remove(modelPath);
            Changed();
            _relocatedAway[modelPath] = clock.GetUtcNow();
            return Ticket(LoadOutcome.Move, [], null, $"no room here without evicting ({decision.Reason}): placing it again");
        }
        if (waitingAhead > 0)
            return Ticket(LoadOutcome.Wait, [], null, $"{waitingAhead} load(s) ahead on this silo");
        if (decision.Outcome == PlacementOutcome.NeedsEviction)
        {
            var plan = CheapestIdleEviction.Choose(host.Runners, victims =>
                PlacementPlanner.Plan(headers.Get(modelPath), options, host with { Runners = [.. host.Runners.Except(victims)] }, Settings.SchedulerSettings).Outcome == PlacementOutcome.Load,
                clock.GetUtcNow());
            if (plan.CanEvictNow)
                return Ticket(LoadOutcome.Evict, [], null, "idle models must unload first", [.. plan.Victims.Select(v => v.ModelPath)]);
            return Ticket(LoadOutcome.Wait, [], null, plan.WaitFor is { } busy ? $"waiting for busy model '{busy.ModelPath}' to go idle" : decision.Reason);
        }
        return Ticket(LoadOutcome.Wait, [], null, decision.Reason);
    }

    public Task LoadCompleted(string modelPath, RunnerMemory memory)
    {
        if (_reservations.TryGetValue(modelPath, out var reservation))
        {
            _reservations[modelPath] = reservation with { Kind = ReservationKind.Loaded, VramByGpu = memory.VramByGpu, TotalBytes = memory.TotalBytes };
            CheckNothingOverReserved();
            Changed();
        }
        return Task.CompletedTask;
    }

    public Task Release(string modelPath)
    {
        var removed = _reservations.Remove(modelPath) | _queue.Remove(modelPath);
        if (removed)
            Changed();
        return Task.CompletedTask;
    }

    public Task ReportUsage(string modelPath, RunnerUsage usage)
    {
        if (_reservations.TryGetValue(modelPath, out var reservation))
        {
            _reservations[modelPath] = reservation with { Usage = usage };
            Changed(); // a runner going idle can let a queued load evict it
        }
        return Task.CompletedTask;
    }

    public async Task<long> WaitForChange(long version, TimeSpan maxWait)
    {
        if (version != _version)
            return _version;
        try
        {
            return await _changed.Task.WaitAsync(maxWait, clock);
        }
        catch (TimeoutException)
        {
            return _version;
        }
    }

    /// <summary>The host as placement sees it; <paramref name="exclude"/>'s own reservation left out.</summary>
    private HostSnapshot Host(string? exclude)
    {
        var runners = _reservations
            .Where(r => r.Key != exclude && r.Value.Kind != ReservationKind.QueueOnly)
            .Select(r => new LoadedRunner
            {
                ModelPath = r.Key,
                RefCount = r.Value.Usage.RefCount,
                KeepAlive = r.Value.Usage.KeepAlive,
                ExpiresAt = r.Value.Usage.ExpiresAt,
                Loading = r.Value.Kind != ReservationKind.Loaded,
                VramByGpu = r.Value.VramByGpu,
                TotalBytes = r.Value.TotalBytes,
            })
            .ToArray();
        return new HostSnapshot(inventory.GetGpus(), inventory.GetSystemMemory().AsDevice(), runners);
    }

    private void Enqueue(string modelPath)
    {
        if (!_queue.Contains(modelPath))
            _queue.Add(modelPath);
    }

    private void ExpireClaims()
    {
        var now = clock.GetUtcNow();
        var expired = _reservations.Where(r => r.Value.Kind is ReservationKind.Claim or ReservationKind.QueueOnly && r.Value.ClaimExpires < now).Select(r => r.Key).ToArray();
        foreach (var path in expired)
        {
            _reservations.Remove(path);
            _queue.Remove(path);
        }
        if (expired.Length > 0)
            Changed();
    }

    /// <summary>The invariant every reservation keeps: no GPU holds more than its memory.</summary>
    private void CheckNothingOverReserved()
    {
        foreach (var gpu in inventory.GetGpus())
        {
            var reserved = _reservations.Values.Sum(r => r.VramByGpu.GetValueOrDefault(gpu.Id));
            if (reserved > gpu.TotalMemory)
                throw new InvalidOperationException($"GPU {gpu.Id} over-reserved: {reserved} bytes of {gpu.TotalMemory}");
        }
    }

    private void Changed()
    {
        _version++;
        var changed = _changed;
        _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult(_version);
    }

    private Task<LoadTicket> Ticket(LoadOutcome outcome, IReadOnlyList<GpuInfo> devices, Scheduling.Estimation.MemoryEstimate? estimate, string reason, IReadOnlyList<string>? victims = null) =>
        Task.FromResult(new LoadTicket(outcome, devices, estimate, victims ?? [], reason, _version));

    [LoggerMessage(Level = LogLevel.Information, Message = "Load of {Model} granted on GPUs [{Gpus}]: {Reason}")]
    private static partial void LogGranted(ILogger logger, string model, string gpus, string reason);

    private enum ReservationKind
    {
        QueueOnly,
        Claim,
        Loading,
        Loaded,
    }

    private sealed record Reservation
    {
        public ReservationKind Kind { get; init; }
        public IReadOnlyList<GpuInfo> Devices { get; init; } = [];
        public Scheduling.Estimation.MemoryEstimate? Estimate { get; init; }
        public IReadOnlyDictionary<string, long> VramByGpu { get; init; } = new Dictionary<string, long>();
        public long TotalBytes { get; init; }
        public RunnerUsage Usage { get; init; } = new(0, KeepAliveDuration.Default, null);
        public DateTimeOffset ClaimExpires { get; init; }
        public HostChoiceKind? ClaimedAs { get; init; }

        public static Reservation QueueOnly(DateTimeOffset expires) => new() { Kind = ReservationKind.QueueOnly, ClaimExpires = expires };

        public static Reservation For(ReservationKind kind, PlacementDecision decision)
        {
            var estimate = decision.Estimate!;
            return new Reservation { Kind = kind, Devices = decision.Devices, Estimate = estimate, VramByGpu = estimate.VramByGpu(decision.Devices), TotalBytes = estimate.TotalSize };
        }
    }
}
