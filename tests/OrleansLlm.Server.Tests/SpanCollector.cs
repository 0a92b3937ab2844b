using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace OrleansLlm.Server.Tests;

/// <summary>Every span the server's own OpenTelemetry pipeline ends, kept for the test to read.</summary>
internal sealed class SpanCollector : BaseProcessor<Activity>
{
    private readonly ConcurrentQueue<Activity> _ended = new();

    public IReadOnlyList<Activity> Ended => [.. _ended];

    public override void OnEnd(Activity data) => _ended.Enqueue(data);

    /// <summary>The spans of <paramref name="trace"/>, once <paramref name="complete"/> holds for them (or the timeout passes: then they are returned as they are, for the assertions to name what is missing).</summary>
    public async Task<IReadOnlyList<Activity>> Trace(ActivityTraceId trace, Func<IReadOnlyList<Activity>, bool> complete, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var spans = Ended.Where(a => a.TraceId == trace).ToArray();
            if (complete(spans) || DateTime.UtcNow > deadline)
                return spans;
            await Task.Delay(50);
        }
    }
}
