using OrleansLlm.ChurnBench.Recording;
using OrleansLlm.ChurnBench.Reporting;
using OrleansLlm.Scheduling.Autoscaling;

namespace OrleansLlm.ChurnBench.Tests;

/// <summary>Which starts the concurrent-start cap held back, from the hosts' own start and ready times.</summary>
public sealed class StartReactionTests
{
    // Two hosts start at 23 s and 54 s and are ready at 85 s and 115 s: the cap of 2 is reached from 54 s to 85 s.
    private static readonly ElasticRun Run = new(
        [new HostLife("host-0", 23) { Active = 85 }, new HostLife("host-1", 54) { Active = 115 }],
        [], [], [], AutoscalerSettings.Default with { MaxConcurrentStarts = 2 });

    [Theory]
    [InlineData(47.9, 54.2, "host-1", false)] // host-0 alone was starting: host-1's start was not held back
    [InlineData(57.6, 85.9, "host-2", true)]  // two starting from the report on: held back by the cap
    [InlineData(50.0, 60.0, "host-2", true)]  // the cap was reached while the report waited
    [InlineData(90.0, 95.0, "host-2", false)] // one starting
    public void A_start_counts_as_held_back_when_the_cap_was_reached_while_its_report_waited(double report, double start, string host, bool capped) =>
        Assert.Equal(capped, ElasticReport.StartsCapped(Run, report, start, host));
}
