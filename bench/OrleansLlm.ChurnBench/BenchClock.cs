namespace OrleansLlm.ChurnBench;

/// <summary>
/// The one clock of a run: simulated time is the wall clock since the start, times the speedup.
/// Every simulated duration handed to a system (arrival gaps, load and token times, keep-alive)
/// is divided by the speedup, and every measured duration multiplied back, so the cluster and the
/// baselines run the same workload at the same pace on the same <see cref="TimeProvider"/>.
/// </summary>
internal sealed class BenchClock(TimeProvider time, double speedup)
{
    private long _start = time.GetTimestamp();
    private DateTimeOffset _startUtc = time.GetUtcNow();

    public TimeProvider Time { get; } = time;

    public double Speedup { get; } = speedup;

    public void Restart()
    {
        _start = Time.GetTimestamp();
        _startUtc = Time.GetUtcNow();
    }

    /// <summary>Simulated seconds since the start.</summary>
    public double Now => Time.GetElapsedTime(_start).TotalSeconds * Speedup;

    /// <summary>The simulated time of a timestamp of <see cref="Time"/> (negative: before the start).</summary>
    public double At(long timestamp) => (timestamp - _start) / (double)Time.TimestampFrequency * Speedup;

    /// <summary>The simulated time of a moment on <see cref="Time"/>'s UTC clock (negative: before the start).</summary>
    public double At(DateTimeOffset moment) => (moment - _startUtc).TotalSeconds * Speedup;

    /// <summary>The wall-clock wait for a simulated duration.</summary>
    public TimeSpan ToReal(double simulatedSeconds) => TimeSpan.FromSeconds(Math.Max(0, simulatedSeconds) / Speedup);

    public TimeSpan ToReal(TimeSpan simulated) => simulated / Speedup;

    public Task Delay(double simulatedSeconds, CancellationToken cancellationToken) =>
        simulatedSeconds <= 0 ? Task.CompletedTask : Task.Delay(ToReal(simulatedSeconds), Time, cancellationToken);
}
