using OrleansLlm.Grains.Autoscaling;
using OrleansLlm.Grains.Autoscaling.ContainerApps;

namespace OrleansLlm.Autoscaling.Tests;

public sealed class RunningStatusTests
{
    [Theory]
    [InlineData("Running", null, ProvidedHostStatus.Running)]
    [InlineData("running", "stop", ProvidedHostStatus.Running)]
    [InlineData("Stopped", null, ProvidedHostStatus.Stopped)]
    [InlineData("Stopped", "start", ProvidedHostStatus.Stopped)]
    [InlineData("Starting", null, ProvidedHostStatus.Starting)]
    [InlineData("Stopping", null, ProvidedHostStatus.Stopping)]
    [InlineData("Progressing", "start", ProvidedHostStatus.Starting)]
    [InlineData("Progressing", "stop", ProvidedHostStatus.Stopping)]
    [InlineData("Processing", "stop", ProvidedHostStatus.Stopping)]
    // A transition begun before this process: counted neither as room nor as a slot to start.
    [InlineData("Progressing", null, ProvidedHostStatus.Starting)]
    [InlineData("Failed", null, ProvidedHostStatus.Failed)]
    public void Known_running_status_maps_to_the_host_status(string runningStatus, string? lastCommand, ProvidedHostStatus expected)
    {
        Assert.Equal(expected, RunningStatus.Map(runningStatus, Command(lastCommand), out var known));
        Assert.True(known);
    }

    [Theory]
    [InlineData("Suspended")]
    [InlineData("Ready")]
    [InlineData("Hibernating")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_running_status_is_failed_so_the_host_is_neither_counted_nor_started(string? runningStatus)
    {
        Assert.Equal(ProvidedHostStatus.Failed, RunningStatus.Map(runningStatus, HostCommandKind.Start, out var known));
        Assert.False(known);
    }

    /// <summary>The last start or stop asked of the app, if any.</summary>
    private static HostCommandKind? Command(string? name) => name switch
    {
        "start" => HostCommandKind.Start,
        "stop" => HostCommandKind.Stop,
        _ => null,
    };
}
