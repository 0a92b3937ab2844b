using System.Globalization;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Server.Api;

/// <summary>
/// The one reading of a runner's state that <c>/api/ps</c>, <c>ollm ps</c> and the dashboard show,
/// from what its GPU silo knows: <c>loading</c> (room reserved, no runner yet), <c>busy</c>
/// (requests in flight), <c>draining</c> (finishing its requests to make room for another model's
/// load, then unloading), <c>pinned</c> (idle, kept alive forever), or <c>idle</c> (counting down
/// its keep-alive).
/// </summary>
internal static class RunnerStates
{
    public const string Loading = "loading";
    public const string Busy = "busy";
    public const string Draining = "draining";
    public const string Pinned = "pinned";
    public const string Idle = "idle";

    public static string Of(LoadedRunner runner) =>
        runner.Loading ? Loading
        : runner.Yielding ? Draining
        : runner.RefCount > 0 ? Busy
        : runner.KeepAlive.IsForever ? Pinned
        : Idle;

    /// <summary>A keep-alive as Go prints a duration (<c>5m0s</c>, as Ollama's users write it), or <c>forever</c>.</summary>
    public static string KeepAliveText(KeepAliveDuration keepAlive)
    {
        if (keepAlive.IsForever)
            return "forever";
        var d = keepAlive.Duration;
        return d.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(long)d.TotalHours}h{d.Minutes}m{d.Seconds}s")
            : d.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{d.Minutes}m{d.Seconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.###}s");
    }
}
