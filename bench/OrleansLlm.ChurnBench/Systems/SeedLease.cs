using OrleansLlm.Abstractions.Runners;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>A request's hold on a runner of a <see cref="SeedHost"/>; disposing it is the request finishing.</summary>
internal sealed class SeedLease(SeedHost host, SeedRunnerRef runner) : IDisposable
{
    private int _released;

    public ILlmRunner Runner => runner.Runner!;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            host.Finished(runner);
    }
}
