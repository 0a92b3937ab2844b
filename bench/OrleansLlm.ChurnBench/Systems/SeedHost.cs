using System.Threading.Channels;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Runners;
using OrleansLlm.Gguf;
using OrleansLlm.Scheduling.Eviction;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>
/// One host scheduled the way a single Ollama server schedules it (the seed's <c>sched.go</c>,
/// with v0.2's defaults that the cluster also uses: 3 models per GPU, per-request keep_alive),
/// built from the scheduling core's rules: a bounded FIFO served by one loop, one runner per
/// model shared by its requests, the seed's victim choice (idle first, shortest keep-alive),
/// keep-alive timers, and loads serialised by the runner lock the seed holds while loading.
/// </summary>
internal sealed class SeedHost : IAsyncDisposable
{
    // Ollama: a re-queued request waits 250 ms; an expiry of a busy runner is retried after 10 ms.
    private static readonly TimeSpan RescheduleDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan PrematureExpiryRetry = TimeSpan.FromMilliseconds(10);

    private readonly object _gate = new();
    private readonly Dictionary<string, SeedRunnerRef> _loaded = new(StringComparer.Ordinal);
    private readonly Channel<PendingRequest> _pending;
    private readonly Channel<SeedRunnerRef> _expired = Channel.CreateUnbounded<SeedRunnerRef>();
    private readonly Channel<bool> _unloaded = Channel.CreateUnbounded<bool>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pendingLoop;
    private readonly Task _expiredLoop;
    private readonly IReadOnlyList<GpuInfo> _gpus;
    private readonly GpuInfo _cpu;
    private readonly SchedulerSettings _settings;
    private readonly int _numParallel;
    private readonly ILlmRunnerFactory _runners;
    private readonly TimeProvider _time;
    private readonly double _speedup;

    /// <param name="speedup">Simulated seconds per wall-clock second: keep-alive and the seed's own delays shrink by it.</param>
    public SeedHost(string name, IReadOnlyList<GpuInfo> gpus, GpuInfo cpu, SchedulerSettings settings, int numParallel, int maxQueue,
        ILlmRunnerFactory runners, TimeProvider time, double speedup = 1)
    {
        Name = name;
        _gpus = gpus;
        _cpu = cpu;
        _settings = settings;
        _numParallel = numParallel;
        _runners = runners;
        _time = time;
        _speedup = speedup;
        _pending = Channel.CreateBounded<PendingRequest>(new BoundedChannelOptions(maxQueue) { FullMode = BoundedChannelFullMode.Wait });
        _pendingLoop = Task.Run(ProcessPending);
        _expiredLoop = Task.Run(ProcessExpired);
    }

    public string Name { get; }

    private volatile string? _blockedOn;
    private int _expiriesSignalled;

    /// <summary>
    /// What the scheduling loop is blocked on now (<c>load</c>: a runner loading; <c>unload</c>: a
    /// victim's unload), or null: tests wait for it instead of sleeping.
    /// </summary>
    public string? BlockedOn => _blockedOn;

    private int _requeues;

    /// <summary>Requests put back at the end of the queue because the GPUs they would fit were busy loading.</summary>
    public int Requeues => Volatile.Read(ref _requeues);

    /// <summary>Expiries signalled so far (keep-alive timers that fired, idle zero keep-alives, victims).</summary>
    public int ExpiriesSignalled => Volatile.Read(ref _expiriesSignalled);

    /// <summary>Raised after a runner is unloaded: its model, and whether it was evicted (not expired).</summary>
    public event Action<string, bool>? Unloaded;

    /// <summary>The runners loaded or loading now, as placement sees them.</summary>
    public IReadOnlyList<LoadedRunner> Runners
    {
        get
        {
            lock (_gate)
                return [.. _loaded.Values.Select(r => r.ToLoadedRunner())];
        }
    }

    /// <summary>
    /// What a router sees of this host for one model: a free slot on its runner, whether it fits
    /// beside the loaded models or after the idle ones were unloaded (by this host's own placement),
    /// and the requests on the host — all read under the host's lock, as one moment.
    /// </summary>
    public SeedHostView View(string modelPath, GgufFile model, RunnerOptions options)
    {
        var admitted = RunnerAdmission.Normalize(options, _numParallel);
        lock (_gate)
        {
            LoadedRunner[] runners = [.. _loaded.Values.Select(r => r.ToLoadedRunner())];
            var freeSlot = _loaded.TryGetValue(modelPath, out var runner) && runner.RefCount < _numParallel;
            var fitsFree = Fits(runners);
            var fitsAfterIdle = fitsFree || Fits([.. runners.Where(r => r.RefCount > 0 || r.Loading)]);
            return new SeedHostView(freeSlot, fitsFree, fitsAfterIdle, _loaded.Values.Sum(r => r.RefCount) + _pending.Reader.Count);
        }

        bool Fits(IReadOnlyList<LoadedRunner> staying) =>
            PlacementPlanner.Plan(model, admitted, new HostSnapshot(_gpus, _cpu, staying), _settings).Outcome == PlacementOutcome.Load;
    }

    /// <summary>
    /// Ollama's <c>GetRunner</c>: admits the options, queues the request (503 when the queue is
    /// full), and completes when a runner serves it. Dispose the lease when the request is done.
    /// </summary>
    public Task<SeedLease> AcquireAsync(string modelPath, GgufFile model, RunnerOptions options, KeepAliveDuration keepAlive, CancellationToken cancellationToken)
    {
        var request = new PendingRequest(modelPath, model, RunnerAdmission.Normalize(options, _numParallel), keepAlive, cancellationToken);
        if (!_pending.Writer.TryWrite(request))
            return Task.FromException<SeedLease>(new ServerBusyException());
        return request.Served.Task;
    }

    private async Task ProcessPending()
    {
        await foreach (var request in _pending.Reader.ReadAllAsync(_stop.Token))
        {
            // Ollama consumes unload signals while idle: only unloads after this point count for it.
            while (_unloaded.Reader.TryRead(out _))
            {
            }
            if (request.Cancellation.IsCancellationRequested)
            {
                request.Served.TrySetCanceled(request.Cancellation);
                continue;
            }
            try
            {
                await Schedule(request);
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                request.Served.TrySetException(e);
            }
        }
    }

    /// <summary>The seed's loop for one request: use, load, or evict and look again.</summary>
    private async Task Schedule(PendingRequest request)
    {
        while (true)
        {
            SeedRunnerRef? existing;
            SeedRunnerRef? loading;
            int count;
            lock (_gate)
            {
                _loaded.TryGetValue(request.ModelPath, out existing);
                loading = _loaded.Values.FirstOrDefault(r => r.Loading);
                count = _loaded.Count;
            }

            SeedRunnerRef? victim = null;
            if (existing is not null)
            {
                // The seed checks needsReload under this runner's lock, held for its whole load.
                if (existing.Loading)
                {
                    await BlockedUntil("load", existing.Loaded.Task);
                    continue;
                }
                Use(existing, request);
                return;
            }
            var cap = _settings.EffectiveMaxLoadedModels(_gpus.Count);
            if (count >= cap)
            {
                victim = PickVictim();
            }
            else
            {
                // The seed takes the GPUs without a loading model first (filterGPUsWithoutLoadingModels),
                // then blocks in updateFreeSpace on the loading runner's lock, then fits the model on
                // the GPUs it took before blocking: one that fits nowhere else is re-queued after
                // 250 ms instead of evicting, and the requests behind it are served meanwhile.
                var decision = PlacementPlanner.Plan(request.Model, request.Options, Snapshot(), _settings);
                if (loading is not null)
                    await BlockedUntil("load", loading.Loaded.Task);
                switch (decision.Outcome)
                {
                    case PlacementOutcome.Load:
                        StartLoad(request, decision);
                        return;
                    case PlacementOutcome.RetryAfterLoad:
                        _ = Requeue(request);
                        return;
                    case PlacementOutcome.TooLarge:
                        throw new ModelTooLargeException(decision.Reason);
                    default:
                        victim = PickVictim();
                        break;
                }
            }

            if (victim is null)
                throw new InvalidOperationException($"no runner to unload for '{request.ModelPath}' on {Name}");
            Expire(victim);
            // Any unload will do, as in the seed: then look again from the top.
            await BlockedUntil("unload", _unloaded.Reader.ReadAsync(_stop.Token).AsTask());
        }
    }

    private async Task BlockedUntil(string what, Task until)
    {
        _blockedOn = what;
        try
        {
            await until.WaitAsync(_stop.Token);
        }
        finally
        {
            _blockedOn = null;
        }
    }

    private void SignalExpiry(SeedRunnerRef runner)
    {
        Interlocked.Increment(ref _expiriesSignalled);
        _expired.Writer.TryWrite(runner);
    }

    private SeedRunnerRef? PickVictim()
    {
        lock (_gate)
        {
            var choice = SeedEviction.FindRunnerToUnload([.. _loaded.Values.Select(r => r.ToLoadedRunner())]);
            return choice is null ? null : _loaded[choice.ModelPath];
        }
    }

    private HostSnapshot Snapshot()
    {
        lock (_gate)
            return new HostSnapshot(_gpus, _cpu, [.. _loaded.Values.Select(r => r.ToLoadedRunner())]);
    }

    private void Use(SeedRunnerRef runner, PendingRequest request)
    {
        lock (_gate)
        {
            runner.RefCount++;
            runner.ExpiryTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            runner.KeepAlive = request.KeepAlive;
        }
        request.Served.TrySetResult(new SeedLease(this, runner));
    }

    private void StartLoad(PendingRequest request, Scheduling.Placement.PlacementDecision decision)
    {
        var runner = new SeedRunnerRef(request.ModelPath, decision.Devices, decision.Estimate!, request.KeepAlive);
        lock (_gate)
            _loaded[request.ModelPath] = runner;
        _ = Load(runner, request);
    }

    private async Task Load(SeedRunnerRef runner, PendingRequest request)
    {
        try
        {
            var load = new RunnerLoadRequest(runner.ModelPath, request.Options, _numParallel, runner.Devices, runner.Estimate, [], []);
            var loaded = await _runners.LoadAsync(load, null, _stop.Token);
            lock (_gate)
            {
                runner.Runner = loaded;
                runner.Loading = false;
            }
            request.Served.TrySetResult(new SeedLease(this, runner));
        }
        catch (Exception e)
        {
            lock (_gate)
                _loaded.Remove(runner.ModelPath);
            request.Served.TrySetException(e);
        }
        finally
        {
            runner.Loaded.TrySetResult();
        }
    }

    private async Task Requeue(PendingRequest request)
    {
        Interlocked.Increment(ref _requeues);
        try
        {
            await Task.Delay(RescheduleDelay / _speedup, _time, _stop.Token);
            // Ollama sends it from its own goroutine, waiting for room in a full queue.
            await _pending.Writer.WriteAsync(request, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            request.Served.TrySetCanceled();
        }
    }

    /// <summary>Ollama's <c>processCompleted</c> for a finished request: the last one starts the keep-alive countdown.</summary>
    internal void Finished(SeedRunnerRef runner)
    {
        lock (_gate)
        {
            if (!_loaded.TryGetValue(runner.ModelPath, out var current) || current != runner)
                return; // finished after its runner was unloaded
            runner.RefCount--;
            if (runner.RefCount > 0)
                return;
            if (runner.KeepAlive.UnloadsWhenIdle)
            {
                runner.ExpiryTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                SignalExpiry(runner);
                return;
            }
            if (runner.KeepAlive.IsForever)
                return;
            var due = runner.KeepAlive.Duration / _speedup;
            runner.ExpiresAt = _time.GetUtcNow() + due;
            if (runner.ExpiryTimer is null)
                runner.ExpiryTimer = _time.CreateTimer(static state => ((SeedHost)((object[])state!)[0]).SignalExpiry((SeedRunnerRef)((object[])state!)[1]),
                    new object[] { this, runner }, due, Timeout.InfiniteTimeSpan);
            else
                runner.ExpiryTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The seed's victim handling: no pre-emption, it unloads when its last request finishes.</summary>
    private void Expire(SeedRunnerRef victim)
    {
        lock (_gate)
        {
            victim.ExpiryTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            victim.KeepAlive = KeepAliveDuration.Zero;
            victim.Evicted = true;
            if (victim.RefCount == 0)
                SignalExpiry(victim);
        }
    }

    private async Task ProcessExpired()
    {
        await foreach (var runner in _expired.Reader.ReadAllAsync(_stop.Token))
        {
            lock (_gate)
            {
                if (!_loaded.TryGetValue(runner.ModelPath, out var current) || current != runner)
                    continue; // a duplicate expiry (later Ollama versions ignore it too)
                if (runner.RefCount > 0)
                {
                    _ = RetryExpiry(runner);
                    continue;
                }
                _loaded.Remove(runner.ModelPath);
                runner.ExpiryTimer?.Dispose();
            }
            if (runner.Runner is not null)
                await runner.Runner.DisposeAsync();
            // Configured GPUs report no live free memory, so there is no VRAM recovery to wait for
            // (the cluster skips it for the same reason).
            Unloaded?.Invoke(runner.ModelPath, runner.Evicted);
            _unloaded.Writer.TryWrite(true);
        }
    }

    private async Task RetryExpiry(SeedRunnerRef runner)
    {
        await Task.Delay(PrematureExpiryRetry / _speedup, _time, _stop.Token);
        SignalExpiry(runner);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _pending.Writer.TryComplete();
        _expired.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_pendingLoop, _expiredLoop);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        SeedRunnerRef[] left;
        lock (_gate)
        {
            left = [.. _loaded.Values];
            _loaded.Clear();
        }
        foreach (var runner in left)
        {
            runner.ExpiryTimer?.Dispose();
            if (runner.Runner is not null)
                await runner.Runner.DisposeAsync();
        }
        _stop.Dispose();
    }

    private sealed record PendingRequest(string ModelPath, GgufFile Model, RunnerOptions Options, KeepAliveDuration KeepAlive, CancellationToken Cancellation)
    {
        public TaskCompletionSource<SeedLease> Served { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
