namespace OrleansLlm.ChurnBench.Tests;

/// <summary>
/// The tests that time a run on the wall clock (scaled by the speedup): one at a time, since a
/// cluster starting beside a run stalls it, and a stalled wall-clock second is many simulated ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChurnRunCollection
{
    public const string Name = "churn runs on the wall clock";
}
