namespace OrleansLlm.Grains.Models;

/// <summary>
/// <c>OLLAMA_LOAD_TIMEOUT</c> as the seed means it: a load that reports no progress for that long
/// has stalled. A slow load that keeps progressing has not, and the wait for GPU room before the
/// load starts is not counted at all. Also reports the load's progress every quarter.
/// </summary>
internal sealed class LoadWatchdog : IProgress<float>, IDisposable
{
    private readonly CancellationTokenSource _stalled;
    private readonly TimeSpan _timeout;
    private readonly Action<int> _quarter;
    private int _reported;
    private float _progress;

    /// <param name="timeout">Zero or negative: no limit.</param>
    /// <param name="quarter">Called with 25, 50, 75, 100 as the load passes them.</param>
    public LoadWatchdog(TimeSpan timeout, TimeProvider clock, Action<int> quarter)
    {
        _timeout = timeout;
        _quarter = quarter;
        _stalled = timeout > TimeSpan.Zero ? new CancellationTokenSource(timeout, clock) : new CancellationTokenSource();
    }

    public CancellationToken Token => _stalled.Token;

    public bool Stalled => _stalled.IsCancellationRequested;

    /// <summary>How far the load got, 0 to 1.</summary>
    public float Progress => Volatile.Read(ref _progress);

    public void Report(float value)
    {
        Volatile.Write(ref _progress, value);
        try
        {
            if (_timeout > TimeSpan.Zero && !_stalled.IsCancellationRequested)
                _stalled.CancelAfter(_timeout);
        }
        catch (ObjectDisposedException)
        {
            return; // a report after the load ended
        }
        // Every quarter, not every tensor: llama.cpp reports per tensor.
        var quarter = (int)(value * 4);
        int seen;
        while (quarter > (seen = Volatile.Read(ref _reported)))
        {
            if (Interlocked.CompareExchange(ref _reported, quarter, seen) == seen)
            {
                _quarter(quarter * 25);
                return;
            }
        }
    }

    public void Dispose() => _stalled.Dispose();
}
