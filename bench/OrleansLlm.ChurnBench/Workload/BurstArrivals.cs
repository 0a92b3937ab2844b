namespace OrleansLlm.ChurnBench.Workload;

/// <summary>
/// Arrival times of a two-state Markov-modulated Poisson process: a calm state and a burst state
/// at <see cref="BurstFactor"/> times the mean rate, each held for an exponentially distributed
/// time, with the calm rate set so that the long-run mean is the scenario's rate.
/// </summary>
internal static class BurstArrivals
{
    public const double BurstFactor = 4;

    /// <summary>Share of the time spent bursting.</summary>
    public const double BurstShare = 0.1;

    /// <summary>Mean length of a burst, simulated seconds; a calm spell lasts nine times as long.</summary>
    public const double BurstSeconds = 30;

    public static IReadOnlyList<double> Times(double meanRate, double duration, Random random)
    {
        var burstRate = BurstFactor * meanRate;
        var calmRate = meanRate * (1 - (BurstFactor * BurstShare)) / (1 - BurstShare);
        var calmSeconds = BurstSeconds * (1 - BurstShare) / BurstShare;
        var times = new List<double>();
        var bursting = false;
        var t = 0.0;
        var switchAt = Exponential(1 / calmSeconds, random);
        while (t < duration)
        {
            var next = t + Exponential(bursting ? burstRate : calmRate, random);
            if (next >= switchAt)
            {
                // Memoryless: the arrival clock restarts at the switch with the new state's rate.
                t = switchAt;
                bursting = !bursting;
                switchAt = t + Exponential(1 / (bursting ? BurstSeconds : calmSeconds), random);
                continue;
            }
            t = next;
            if (t < duration)
                times.Add(t);
        }
        return times;
    }

    private static double Exponential(double rate, Random random) => -Math.Log(1 - random.NextDouble()) / rate;
}
