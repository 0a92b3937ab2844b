using OrleansLlm.Scheduling.Admission;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Tests;

/// <summary>Who gets room first when it frees: <see cref="WaitingLoadOrder"/>.</summary>
public class WaitingLoadOrderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly SchedulerSettings Demand = SchedulerSettings.Default with { LoadOrder = LoadOrder.Demand, StarvationBound = TimeSpan.FromSeconds(60) };

    private static QueuedLoad Load(string path, int requests, double waitedSeconds) => new(path, Now - TimeSpan.FromSeconds(waitedSeconds), requests);

    private static string[] Paths(IEnumerable<QueuedLoad> order) => [.. order.Select(l => l.ModelPath)];

    [Fact]
    public void The_load_most_requests_wait_for_goes_first()
    {
        var queue = new[] { Load("/m/one", 1, 20), Load("/m/many", 12, 5), Load("/m/some", 3, 10) };

        Assert.Equal(["/m/many", "/m/some", "/m/one"], Paths(WaitingLoadOrder.Order(queue, Demand, Now)));
    }

    [Fact]
    public void Equal_demand_keeps_arrival_order()
    {
        var queue = new[] { Load("/m/a", 2, 20), Load("/m/b", 2, 30), Load("/m/c", 2, 10) };

        Assert.Equal(["/m/a", "/m/b", "/m/c"], Paths(WaitingLoadOrder.Order(queue, Demand, Now)));
    }

    [Fact]
    public void A_load_past_the_starvation_bound_goes_before_any_demand_oldest_first()
    {
        var queue = new[] { Load("/m/hot", 40, 5), Load("/m/starved-late", 1, 61), Load("/m/starved-early", 1, 90) };

        Assert.Equal(["/m/starved-early", "/m/starved-late", "/m/hot"], Paths(WaitingLoadOrder.Order(queue, Demand, Now)));
    }

    [Fact]
    public void Fifo_is_arrival_order_whatever_the_demand()
    {
        var queue = new[] { Load("/m/one", 1, 20), Load("/m/many", 12, 5) };

        Assert.Equal(["/m/one", "/m/many"], Paths(WaitingLoadOrder.Order(queue, Demand with { LoadOrder = LoadOrder.Fifo }, Now)));
    }

    [Fact]
    public void Under_a_skewed_stream_a_cold_model_still_gets_its_turn_within_the_bound()
    {
        // A hot model's loads keep arriving with many requests each; the cold one waits behind
        // them only until the bound, then goes first.
        var cold = Load("/m/cold", 1, 0);
        var turns = 0;
        for (var second = 0; second <= 120; second++)
        {
            var now = Now + TimeSpan.FromSeconds(second);
            var queue = new[] { cold, new QueuedLoad($"/m/hot-{second}", now, 50) };
            if (WaitingLoadOrder.Order(queue, Demand, now)[0] == cold)
            {
                turns = second;
                break;
            }
        }

        Assert.Equal(60, turns);
    }
}
