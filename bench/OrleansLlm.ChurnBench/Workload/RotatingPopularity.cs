using MathNet.Numerics.Distributions;

namespace OrleansLlm.ChurnBench.Workload;

/// <summary>
/// Zipf popularity whose ranking rotates every phase: in phase k the models at ranks
/// k·h+1 … k·h+h (mod the model count) are the hot set, where h is a quarter of the models, so
/// each phase's hot set is new to the one before it — popularity that drifts as a day goes by.
/// </summary>
internal sealed class RotatingPopularity(IReadOnlyList<BenchModel> models, double zipfS, TimeSpan phase, Random random)
{
    private readonly BenchModel[] _byRank = [.. models.OrderBy(m => m.PopularityRank)];
    private readonly Zipf _zipf = new(zipfS, models.Count, random);

    /// <summary>How many ranks the ranking moves each phase: the size of the hot set.</summary>
    public int HotSetSize { get; } = Math.Max(1, models.Count / 4);

    public int PhaseAt(double seconds) => (int)Math.Floor(seconds / phase.TotalSeconds);

    /// <summary>The models of the hot set at a moment, hottest first.</summary>
    public IReadOnlyList<BenchModel> HotSet(double seconds) =>
        [.. Enumerable.Range(1, HotSetSize).Select(rank => ModelAt(rank, seconds))];

    /// <summary>A model drawn for a request that arrives at <paramref name="seconds"/>.</summary>
    public BenchModel Sample(double seconds) => ModelAt(_zipf.Sample(), seconds);

    private BenchModel ModelAt(int rank, double seconds) =>
        _byRank[(int)(((rank - 1) + ((long)PhaseAt(seconds) * HotSetSize)) % _byRank.Length)];
}
