using OrleansLlm.Scheduling.Eviction;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Tests;

/// <summary>Which busy runners a load that waited too long asks to drain: <see cref="BusyDrain"/>.</summary>
public class BusyDrainTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MinResidency = TimeSpan.FromMinutes(2);

    private static LoadedRunner Runner(string path, long gib, int refs, double residentMinutes = 10, bool pinned = false, bool yielding = false, bool loading = false) => new()
    {
        ModelPath = path,
        RefCount = refs,
        TotalBytes = gib * Bytes.GiB,
        KeepAlive = pinned ? KeepAliveDuration.Forever : KeepAliveDuration.Default,
        LoadedAt = loading ? null : Now - TimeSpan.FromMinutes(residentMinutes),
        Loading = loading,
        Yielding = yielding,
    };

    /// <summary>The new model needs <paramref name="gib"/> GiB of a 24 GiB GPU.</summary>
    private static Func<IReadOnlyList<LoadedRunner>, bool> Needs(long gib, IReadOnlyList<LoadedRunner> all) =>
        gone => 24 - all.Except(gone).Sum(r => r.TotalBytes / Bytes.GiB) >= gib;

    [Fact]
    public void The_busy_runner_with_the_fewest_requests_in_flight_drains()
    {
        LoadedRunner[] runners = [Runner("/m/busier", 10, refs: 6), Runner("/m/busy", 10, refs: 1)];

        var plan = BusyDrain.Choose(runners, Needs(10, runners), Now, MinResidency);

        Assert.Equal("/m/busy", Assert.Single(plan.Victims).ModelPath);
    }

    [Fact]
    public void A_pinned_runner_is_never_drained()
    {
        LoadedRunner[] runners = [Runner("/m/pinned", 20, refs: 1, pinned: true)];

        var plan = BusyDrain.Choose(runners, Needs(10, runners), Now, MinResidency);

        Assert.False(plan.MakesRoom);
        Assert.Empty(plan.Victims);
    }

    [Fact]
    public void A_runner_resident_for_less_than_the_minimum_is_not_drained()
    {
        LoadedRunner[] runners = [Runner("/m/new", 20, refs: 1, residentMinutes: 1)];

        Assert.Empty(BusyDrain.Choose(runners, Needs(10, runners), Now, MinResidency).Victims);
        Assert.Single(BusyDrain.Choose(runners, Needs(10, runners), Now + TimeSpan.FromMinutes(1), MinResidency).Victims);
    }

    [Fact]
    public void A_loading_runner_is_not_drained()
    {
        LoadedRunner[] runners = [Runner("/m/loading", 20, refs: 0, loading: true)];

        Assert.False(BusyDrain.Choose(runners, Needs(10, runners), Now, MinResidency).MakesRoom);
    }

    [Fact]
    public void Runners_already_draining_count_and_nobody_else_is_asked()
    {
        LoadedRunner[] runners = [Runner("/m/draining", 12, refs: 3, yielding: true), Runner("/m/busy", 10, refs: 1)];

        var plan = BusyDrain.Choose(runners, Needs(12, runners), Now, MinResidency);

        Assert.True(plan.MakesRoom);
        Assert.Empty(plan.Victims);
    }

    [Fact]
    public void Only_as_many_runners_as_the_fit_needs_are_drained()
    {
        LoadedRunner[] runners = [Runner("/m/a", 6, refs: 1), Runner("/m/b", 6, refs: 2), Runner("/m/c", 6, refs: 3)];

        var plan = BusyDrain.Choose(runners, Needs(14, runners), Now, MinResidency);

        Assert.Equal(["/m/a", "/m/b"], plan.Victims.Select(v => v.ModelPath).Order());
    }
}
