using OrleansLlm.ChurnBench.Recording;

namespace OrleansLlm.ChurnBench.Reporting;

/// <summary>
/// The service-level objective every report measures against (README "Churn benchmark"): a warm
/// request's first token within 5 s; a cold one's within its model's load time + 10 s (and, where
/// hosts start on demand, the host start before that). A request that never got a token misses it.
/// </summary>
internal static class Slo
{
    public const double WarmSeconds = 5;

    public const double ColdSlackSeconds = 10;

    /// <summary>The TTFT a request must meet.</summary>
    /// <param name="loadSeconds">Its model's load time on the run's runner timings.</param>
    /// <param name="hostStartSeconds">A host start a cold request may have to wait for (0 where hosts are always on).</param>
    public static double Seconds(RequestRecord request, double loadSeconds, double hostStartSeconds = 0) =>
        request.Cold ? hostStartSeconds + loadSeconds + ColdSlackSeconds : WarmSeconds;

    public static bool Met(RequestRecord request, double loadSeconds, double hostStartSeconds = 0) =>
        request.Ttft <= Seconds(request, loadSeconds, hostStartSeconds);
}
