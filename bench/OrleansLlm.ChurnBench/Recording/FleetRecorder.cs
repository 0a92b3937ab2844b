using System.Collections.Concurrent;

namespace OrleansLlm.ChurnBench.Recording;

/// <summary>
/// The elastic pool's host events as its provider saw them, and the host runs they make, in
/// simulated seconds from the trace's start (hosts kept running start before it: negative times).
/// </summary>
internal sealed class FleetRecorder(BenchClock clock)
{
    private readonly ConcurrentQueue<(string Host, long Timestamp, HostEventKind Kind)> _events = new();

    public IReadOnlyList<(string Host, double Time, HostEventKind Kind)> Events =>
        [.. _events.Select(e => (e.Host, clock.At(e.Timestamp), e.Kind)).OrderBy(e => e.Item2)];

    public void Add(string host, HostEventKind kind) => _events.Enqueue((host, clock.Time.GetTimestamp(), kind));

    /// <summary>Every run of every host, in order of its start call.</summary>
    public IReadOnlyList<HostLife> Lives()
    {
        var lives = new List<HostLife>();
        var open = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (host, time, kind) in Events)
        {
            if (kind == HostEventKind.StartCalled)
            {
                open[host] = lives.Count;
                lives.Add(new HostLife(host, time));
                continue;
            }
            if (!open.TryGetValue(host, out var i))
                continue;
            lives[i] = kind switch
            {
                HostEventKind.Booting => lives[i] with { Booting = time },
                HostEventKind.Active => lives[i] with { Active = time },
                HostEventKind.StartFailed => lives[i] with { Failed = true, Stopped = time },
                HostEventKind.StopCalled => lives[i] with { StopCalled = time },
                _ => lives[i] with { Stopped = time },
            };
            if (kind is HostEventKind.Stopped or HostEventKind.StartFailed)
                open.Remove(host);
        }
        return lives;
    }
}
