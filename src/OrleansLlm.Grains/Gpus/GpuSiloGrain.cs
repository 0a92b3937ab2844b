using OrleansLlm.Gguf.Files;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Grains.Hosting;
using OrleansLlm.Grains.Models;
using OrleansLlm.Grains.Placement;
using OrleansLlm.Grains.Telemetry;
using OrleansLlm.Scheduling.Admission;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;
using OrleansLlm.Scheduling.Replicas;

namespace OrleansLlm.Grains.Gpus;

/// <summary>
/// One silo's GPUs and the runners reserved on them. Every claim and load is admitted by
/// <see cref="LoadAdmission"/> and applied inside one turn (no await between reading the state and
/// changing it), so reservations are atomic.
/// </summary>
[GrainType("gpusilo"), SiloBoundPlacement, Immovable, KeepAlive]
internal sealed partial class GpuSiloGrain(
    IGpuInventory inventory,
    ModelFileCache files,
    IOptions<OrleansLlmOptions> options,
    SiloDrainState drain,
    SiloGauges gauges,
    TimeProvider clock,
    ILogger<GpuSiloGrain> logger) : Grain, IGpuSiloGrain
{
    /// <summary>When this silo last sent each model away to be placed again (see <see cref="LoadAdmission"/>).</summary>
    private readonly Dictionary<string, DateTimeOffset> _sentAway = new(StringComparer.Ordinal);

    private readonly Dictionary<string, Reservation> _reservations = new(StringComparer.Ordinal);
    private readonly List<string> _queue = [];

    /// <summary>Since when, and why, each queued model waits (the latest admission's reason).</summary>
    private readonly Dictionary<string, WaitingLoad> _waiting = new(StringComparer.Ordinal);

    private readonly SiloEventLog _events = new();
    private int _overtakes;

    /// <summary>The load whose latest answer was to evict or drain runners for its room (see <see cref="AdmissionDecision.MakingRoom"/>).</summary>
    private string? _makingRoomFor;
    private long _loadsGranted;
    private long _version;
    private TaskCompletionSource<long> _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OrleansLlmOptions Settings => options.Value;

    public Task<SiloSnapshot> GetSnapshot()
    {
        ExpireClaims();
        return Task.FromResult(new SiloSnapshot(this.GetPrimaryKeyString(), Host(exclude: null), _version, inventory.Source, _queue.Count, _loadsGranted)
        {
            Draining = drain.Draining,
            TakesModels = Settings.HostsModels,
            QueuedModels = [.. _queue],
        });
    }

    public Task<bool> Claim(string modelPath, RunnerOptions options, HostChoiceKind expected)
    {
        ExpireClaims();
        var decision = Admit(new LoadAsk { ModelPath = modelPath, Options = options, ClaimFor = expected });
        switch (decision.Verdict)
        {
            case AdmissionVerdict.Held:
                return Task.FromResult(true);
            case AdmissionVerdict.Relocate:
                return Task.FromResult(false);
        }
        _sentAway.Remove(modelPath);
        var expires = clock.GetUtcNow() + Settings.ClaimLifetime;
        if (decision.Verdict == AdmissionVerdict.Grant)
        {
            _reservations[modelPath] = Reservation.For(ReservationKind.Claim, decision.Placement!) with { ClaimExpires = expires, ClaimedAs = expected };
        }
        else
        {
            Enqueue(modelPath, decision.Reason);
            _reservations[modelPath] = Reservation.QueueOnly(expires) with { ClaimedAs = expected };
        }
        Changed();
        return Task.FromResult(true);
    }

    public Task<LoadTicket> AcquireLoad(string modelPath, RunnerOptions options, int relocations, int waitingRequests)
    {
        ExpireClaims();
        var decision = Admit(new LoadAsk { ModelPath = modelPath, Options = options, Relocations = relocations, WaitingRequests = waitingRequests });
        if (decision.Verdict == AdmissionVerdict.Held)
        {
            var held = _reservations[modelPath];
            return Ticket(AdmissionVerdict.Grant, held.Devices, held.Estimate, decision.Reason);
        }

        // Whatever the answer, a provisional claim must not hold room past it.
        var changed = _reservations.Remove(modelPath);
        if (decision.MakingRoom)
            _makingRoomFor = modelPath;
        else if (_makingRoomFor == modelPath)
            _makingRoomFor = null;
        if (decision.SentAway)
            _sentAway[modelPath] = clock.GetUtcNow();
        if (decision.Queued)
            Enqueue(modelPath, decision.Reason, waitingRequests);
        else
            changed |= Dequeue(modelPath);
        if (decision.Verdict == AdmissionVerdict.Evict)
            Record(SiloEventKind.Evicting, modelPath, $"to make room: {string.Join(", ", decision.Victims.Select(v => v.ModelPath))}");
        if (decision.Verdict == AdmissionVerdict.DrainBusy)
            Record(SiloEventKind.Draining, modelPath, decision.Reason);
        if (decision.Verdict == AdmissionVerdict.Grant)
        {
            _overtakes = decision.Overtook ? _overtakes + 1 : 0;
            _reservations[modelPath] = Reservation.For(ReservationKind.Loading, decision.Placement!);
            _loadsGranted++;
            CheckNothingOverReserved();
            changed = true;
            var gpus = string.Join(",", decision.Placement!.Devices.Select(d => d.Id));
            Record(SiloEventKind.LoadGranted, modelPath, $"on [{gpus}]: {decision.Reason}");
            LogGranted(logger, modelPath, gpus, decision.Reason);
        }
        if (changed)
            Changed();
        return decision.Verdict == AdmissionVerdict.Grant
            ? Ticket(AdmissionVerdict.Grant, decision.Placement!.Devices, decision.Placement.Estimate, decision.Reason)
            : Ticket(decision.Verdict, [], null, decision.Reason, [.. decision.Victims.Select(v => v.ModelPath)]);
    }

    /// <summary>The admission rules over this silo's bookkeeping as it is now.</summary>
    private AdmissionDecision Admit(LoadAsk ask)
    {
        _reservations.TryGetValue(ask.ModelPath, out var existing);
        var silo = new SiloLoads
        {
            Host = Host(exclude: ask.ModelPath),
            Existing = existing?.Kind,
            ExistingHoldsRoom = existing is { Devices.Count: > 0 },
            ExistingClaimedAs = existing?.ClaimedAs,
            Queue = [.. _queue.Select(path => _waiting[path]).Select(w => new QueuedLoad(w.ModelPath, w.Since, w.WaitingRequests))],
            Overtakes = _overtakes,
            // A control silo takes no model: whatever lands here is sent on, as from a draining silo.
            Draining = drain.Draining || !Settings.HostsModels,
            SentAwayAt = _sentAway.TryGetValue(ask.ModelPath, out var at) ? at : null,
            RoomBeingMadeForAnother = _makingRoomFor is { } making && making != ask.ModelPath,
        };
        return LoadAdmission.Decide(files.Header(ModelKey.PathOf(ask.ModelPath)), ask, silo, Settings.SchedulerSettings, clock.GetUtcNow());
    }

    public Task LoadCompleted(string modelPath, RunnerMemory memory)
    {
        if (_reservations.TryGetValue(modelPath, out var reservation))
        {
            _reservations[modelPath] = reservation with { Kind = ReservationKind.Loaded, VramByGpu = memory.VramByGpu, TotalBytes = memory.TotalBytes, LoadedAt = clock.GetUtcNow() };
            CheckNothingOverReserved();
            Record(SiloEventKind.Loaded, modelPath, $"{Scheduling.Bytes.Format(memory.VramByGpu.Values.Sum())} on GPUs, {Scheduling.Bytes.Format(memory.TotalBytes)} in all");
            Changed();
        }
        return Task.CompletedTask;
    }

    public Task Release(string modelPath, string reason)
    {
        // Claims and queue places are not runners: only a load's or a runner's release is an event.
        if (_reservations.TryGetValue(modelPath, out var released) && released.Kind is ReservationKind.Loading or ReservationKind.Loaded)
            Record(SiloEventKind.Released, modelPath, reason);
        var removed = _reservations.Remove(modelPath) | Dequeue(modelPath);
        if (removed)
            Changed();
        return Task.CompletedTask;
    }

    public Task<SiloActivity> GetActivity()
    {
        ExpireClaims();
        return Task.FromResult(new SiloActivity([.. _queue.Select(path => _waiting[path])], _events.ToList()));
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
                LoadedAt = r.Value.LoadedAt,
                Yielding = r.Value.Usage.Yielding,
                VramByGpu = r.Value.VramByGpu,
                TotalBytes = r.Value.TotalBytes,
            })
            .ToArray();
        return new HostSnapshot(inventory.GetGpus(), inventory.GetSystemMemory().AsDevice(), runners);
    }

    private void Enqueue(string modelPath, string reason, int waitingRequests = 1)
    {
        if (!_queue.Contains(modelPath))
        {
            _queue.Add(modelPath);
            _waiting[modelPath] = new WaitingLoad(modelPath, clock.GetUtcNow(), reason, Math.Max(1, waitingRequests));
            Record(SiloEventKind.Waiting, modelPath, reason);
        }
        else
        {
            _waiting[modelPath] = _waiting[modelPath] with { Reason = reason, WaitingRequests = Math.Max(1, waitingRequests) };
        }
    }

    private bool Dequeue(string modelPath)
    {
        if (_makingRoomFor == modelPath)
            _makingRoomFor = null;
        _waiting.Remove(modelPath);
        return _queue.Remove(modelPath);
    }

    private void Record(SiloEventKind kind, string modelPath, string detail) =>
        _events.Add(new SiloEvent(clock.GetUtcNow(), kind, modelPath, detail));

    private void ExpireClaims()
    {
        var now = clock.GetUtcNow();
        var expired = _reservations.Where(r => r.Value.Kind is ReservationKind.Claim or ReservationKind.QueueOnly && r.Value.ClaimExpires < now).Select(r => r.Key).ToArray();
        foreach (var path in expired)
        {
            _reservations.Remove(path);
            Dequeue(path);
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
        gauges.Publish(Reading());
        _version++;
        var changed = _changed;
        _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult(_version);
    }

    /// <summary>The bookkeeping as the silo's gauges show it.</summary>
    private SiloReading Reading()
    {
        var reserved = new Dictionary<string, long>(StringComparer.Ordinal);
        var loaded = new List<LoadedModelReading>();
        foreach (var (path, reservation) in _reservations)
        {
            foreach (var (gpu, bytes) in reservation.VramByGpu)
                reserved[gpu] = reserved.GetValueOrDefault(gpu) + bytes;
            if (reservation.Kind == ReservationKind.Loaded)
                loaded.Add(new LoadedModelReading(path, reservation.Estimate?.TotalSize ?? 0, reservation.TotalBytes));
        }
        return new SiloReading(reserved, loaded);
    }

    private Task<LoadTicket> Ticket(AdmissionVerdict verdict, IReadOnlyList<GpuInfo> devices, Scheduling.Estimation.MemoryEstimate? estimate, string reason, IReadOnlyList<string>? victims = null) =>
        Task.FromResult(new LoadTicket(verdict, devices, estimate, victims ?? [], reason, _version));

    [LoggerMessage(Level = LogLevel.Information, Message = "Load of {Model} granted on GPUs [{Gpus}]: {Reason}")]
    private static partial void LogGranted(ILogger logger, string model, string gpus, string reason);

    private sealed record Reservation
    {
        public ReservationKind Kind { get; init; }
        public IReadOnlyList<GpuInfo> Devices { get; init; } = [];
        public Scheduling.Estimation.MemoryEstimate? Estimate { get; init; }
        public IReadOnlyDictionary<string, long> VramByGpu { get; init; } = new Dictionary<string, long>();
        public long TotalBytes { get; init; }
        public RunnerUsage Usage { get; init; } = new(0, KeepAliveDuration.Default, null);
        public DateTimeOffset ClaimExpires { get; init; }
        public DateTimeOffset? LoadedAt { get; init; }
        public HostChoiceKind? ClaimedAs { get; init; }

        public static Reservation QueueOnly(DateTimeOffset expires) => new() { Kind = ReservationKind.QueueOnly, ClaimExpires = expires };

        public static Reservation For(ReservationKind kind, PlacementDecision decision)
        {
            var estimate = decision.Estimate!;
            return new Reservation { Kind = kind, Devices = decision.Devices, Estimate = estimate, VramByGpu = estimate.VramByGpu(decision.Devices), TotalBytes = estimate.TotalSize };
        }
    }
}
