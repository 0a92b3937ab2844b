namespace OrleansLlm.ChurnBench.Workload;

/// <summary>The share of the scenario's rate that arrives at a simulated time, by its <see cref="ArrivalPattern"/>.</summary>
internal static class ArrivalProfile
{
    public static double Share(ArrivalPattern pattern, TimeSpan period, double seconds)
    {
        var phase = (seconds % period.TotalSeconds) / period.TotalSeconds;
        return pattern switch
        {
            ArrivalPattern.Swing => Math.Max(0, Math.Sin(2 * Math.PI * phase)),
            ArrivalPattern.Step => phase < 0.5 ? 1 : 0,
            _ => 1,
        };
    }

    public static string Describe(ArrivalPattern pattern, TimeSpan period) => pattern switch
    {
        ArrivalPattern.Swing => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"swinging: every {period.TotalMinutes:0.#} simulated minutes a half-sine day peaking at the rate, then a quiet night as long"),
        ArrivalPattern.Step => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"steps: every {period.TotalMinutes:0.#} simulated minutes the full rate for half, then nothing"),
        _ => "steady",
    };
}
