using System.Collections.Concurrent;

namespace OrleansLlm.ChurnBench.Recording;

/// <summary>What happened during one system's run, in simulated seconds: loads, unloads, evictions, request starts, memory samples.</summary>
internal sealed class Recorder(BenchClock clock, IReadOnlyList<string> hosts, long vramPerHost)
{
    private readonly ConcurrentDictionary<string, long> _vramInUse = new(hosts.Select(h => KeyValuePair.Create(h, 0L)), StringComparer.Ordinal);
    private readonly ConcurrentBag<LoadRecord> _loads = [];
    private readonly ConcurrentBag<UnloadRecord> _unloads = [];
    private readonly ConcurrentBag<(string Model, double Time)> _evictions = [];
    private readonly ConcurrentDictionary<int, RunnerStart> _starts = new();
    private readonly ConcurrentQueue<MemorySample> _memory = new();

    public BenchClock Clock { get; } = clock;

    public IReadOnlyList<string> Hosts { get; } = hosts;

    public long VramPerHost { get; } = vramPerHost;

    public IReadOnlyCollection<LoadRecord> Loads => _loads;

    public IReadOnlyCollection<UnloadRecord> Unloads => _unloads;

    public IReadOnlyCollection<(string Model, double Time)> Evictions => _evictions;

    public IReadOnlyCollection<MemorySample> Memory => _memory;

    public RunnerStart? StartOf(int requestId) => _starts.TryGetValue(requestId, out var start) ? start : null;

    private readonly ConcurrentDictionary<string, long> _peak = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Host, string Model, long Id), long> _live = new();
    private readonly ConcurrentQueue<string> _overcommits = new();
    private long _nextRunner;

    /// <summary>The most GPU memory each host held at once.</summary>
    public IReadOnlyDictionary<string, long> PeakVram => _peak;

    /// <summary>Loads that took a host past its GPU memory, with what it held: a scheduler bug if any.</summary>
    public IReadOnlyCollection<string> Overcommits => _overcommits;

    /// <summary>A load begins: its memory is taken from now on (it is reserved before the first byte is read).</summary>
    public long LoadStarted(string host, string model, long vramBytes)
    {
        var id = Interlocked.Increment(ref _nextRunner);
        _live[(host, model, id)] = vramBytes;
        var now = _vramInUse.AddOrUpdate(host, vramBytes, (_, v) => v + vramBytes);
        _peak.AddOrUpdate(host, now, (_, v) => Math.Max(v, now));
        if (now > VramPerHost)
        {
            var held = _live.Where(r => r.Key.Host == host).Select(r => $"{r.Key.Model} {r.Value / (double)(1L << 30):0.0} GiB");
            _overcommits.Enqueue($"{Clock.Now:0.0} s {host}: {string.Join(", ", held)}");
        }
        return id;
    }

    private void Forget(string host, string model, long id) => _live.TryRemove((host, model, id), out _);

    public void LoadFinished(long runner, string host, string model, double started, long vramBytes, bool succeeded)
    {
        _loads.Add(new LoadRecord(host, model, started, Clock.Now, vramBytes, succeeded));
        if (!succeeded)
        {
            Forget(host, model, runner);
            _vramInUse.AddOrUpdate(host, 0, (_, v) => v - vramBytes);
        }
    }

    public void Unloaded(long runner, string host, string model, long vramBytes)
    {
        _unloads.Add(new UnloadRecord(host, model, Clock.Now));
        Forget(host, model, runner);
        _vramInUse.AddOrUpdate(host, 0, (_, v) => v - vramBytes);
    }

    /// <summary>An unload forced by another model's need for room (not a keep-alive expiry).</summary>
    public void Evicted(string model) => _evictions.Add((model, Clock.Now));

    public void RequestStarted(int requestId, string host, double runnerReady) =>
        _starts[requestId] = new RunnerStart(host, runnerReady, Clock.Now);

    /// <summary>Samples every host's GPU memory in use until cancelled.</summary>
    public async Task SampleMemoryAsync(double everySimulatedSeconds, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = Clock.Now;
                foreach (var host in Hosts)
                    _memory.Enqueue(new MemorySample(host, now, _vramInUse.GetValueOrDefault(host)));
                await Clock.Delay(everySimulatedSeconds, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }
}
