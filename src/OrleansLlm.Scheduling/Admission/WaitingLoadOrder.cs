using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Admission;

/// <summary>
/// The order in which a GPU silo's waiting loads get room when it frees: the one owner of "who is
/// next". With <see cref="LoadOrder.Demand"/>, a load that many requests wait for goes before a
/// load one request waits for, since serving it first ends more waits for the same room; a load
/// that has waited <see cref="SchedulerSettings.StarvationBound"/> goes before every load that has
/// not (oldest first), so a model few ask for is delayed, never starved.
/// </summary>
public static class WaitingLoadOrder
{
    /// <param name="queue">The waiting loads in arrival order.</param>
    public static IReadOnlyList<QueuedLoad> Order(IReadOnlyList<QueuedLoad> queue, SchedulerSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.LoadOrder == LoadOrder.Fifo || queue.Count < 2)
            return queue;
        var bound = settings.StarvationBound;
        // Stable: equal keys keep arrival order.
        return [.. queue
            .Select((load, arrival) => (load, arrival, starved: now - load.Since >= bound))
            .OrderByDescending(x => x.starved)
            .ThenBy(x => x.starved ? x.load.Since : DateTimeOffset.MinValue)
            .ThenByDescending(x => x.starved ? 0 : x.load.WaitingRequests)
            .ThenBy(x => x.arrival)
            .Select(x => x.load)];
    }

    /// <summary>How many loads go before <paramref name="modelPath"/> (which is in <paramref name="queue"/>).</summary>
    public static int Ahead(IReadOnlyList<QueuedLoad> queue, string modelPath, SchedulerSettings settings, DateTimeOffset now)
    {
        var order = Order(queue, settings, now);
        for (var i = 0; i < order.Count; i++)
        {
            if (string.Equals(order[i].ModelPath, modelPath, StringComparison.Ordinal))
                return i;
        }
        throw new ArgumentException($"'{modelPath}' is not in the queue", nameof(modelPath));
    }
}
