namespace OrleansLlm.ChurnBench.Recording;

/// <summary>
/// One run of a GPU host of the elastic pool, in simulated seconds: asked to start, its silo began
/// to boot (after the host start delay), active in the cluster, asked to stop, stopped.
/// </summary>
internal sealed record HostLife(string Host, double StartCalled)
{
    public double? Booting { get; init; }

    public double? Active { get; init; }

    public double? StopCalled { get; init; }

    public double? Stopped { get; init; }

    /// <summary>Its silo failed to start.</summary>
    public bool Failed { get; init; }

    /// <summary>Paid for: from the start call until stopped (or the end).</summary>
    public double RunningSeconds(double from, double to) => Overlap(StartCalled, Stopped ?? double.PositiveInfinity, from, to);

    /// <summary>Ready: its silo active and not yet asked to stop.</summary>
    public bool ReadyAt(double time) => Active is { } active && active <= time && time < (StopCalled ?? Stopped ?? double.PositiveInfinity);

    public bool RunningAt(double time) => StartCalled <= time && time < (Stopped ?? double.PositiveInfinity);

    private static double Overlap(double start, double end, double from, double to) => Math.Max(0, Math.Min(end, to) - Math.Max(start, from));
}
