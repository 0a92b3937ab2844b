using System.Collections.Concurrent;
using OrleansLlm.Abstractions.Autoscaling;

namespace OrleansLlm.Grains.Autoscaling;

/// <summary>
/// What the autoscaler remembers for as long as its control silo runs: its recent decisions, its
/// counts, and since when each host has been idle. Orleans may deactivate the grain and activate
/// it again (a GPU silo leaving takes part of the grain directory with it), and with localhost
/// clustering its grain state lives in memory on whichever silo holds it; neither may make the
/// dashboard start over or a host's idle clock restart. Only control silos have one.
/// </summary>
public sealed class AutoscalerJournal
{
    private const int KeptDecisions = 100;

    private readonly Lock _lock = new();
    private readonly List<ScaleEvent> _decisions = [];
    private long _starts, _stops, _failedStarts;

    /// <summary>Since when each ready host has had nothing in flight, queued or loading.</summary>
    public ConcurrentDictionary<string, DateTimeOffset> IdleSince { get; } = new(StringComparer.Ordinal);

    /// <summary>When a model was last unplaceable (reported, or waiting for room past the budget).</summary>
    public DateTimeOffset? LastDemand { get; set; }

    public long Starts => Interlocked.Read(ref _starts);

    public long Stops => Interlocked.Read(ref _stops);

    public long FailedStarts => Interlocked.Read(ref _failedStarts);

    public IReadOnlyList<ScaleEvent> Decisions
    {
        get
        {
            lock (_lock)
                return [.. _decisions];
        }
    }

    public void Record(ScaleEvent scaleEvent)
    {
        lock (_lock)
        {
            _decisions.Add(scaleEvent);
            if (_decisions.Count > KeptDecisions)
                _decisions.RemoveAt(0);
        }
    }

    public void Started() => Interlocked.Increment(ref _starts);

    public void Stopped() => Interlocked.Increment(ref _stops);

    public void FailedStart() => Interlocked.Increment(ref _failedStarts);
}
