namespace OrleansLlm.ChurnBench.Runners;

/// <summary>
/// The compute of one host's GPU, shared by its runners: without MPS, CUDA time-slices between
/// processes, so while k runners are generating each one's steps take about k times as long.
/// </summary>
internal sealed class HostGpuShare
{
    private int _busyRunners;

    public int BusyRunners => Math.Max(1, Volatile.Read(ref _busyRunners));

    public void RunnerBusy() => Interlocked.Increment(ref _busyRunners);

    public void RunnerIdle() => Interlocked.Decrement(ref _busyRunners);
}
