using OrleansLlm.Scheduling.Eviction;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Placement;
using static OrleansLlm.Scheduling.Tests.SeedEvictionTests;

namespace OrleansLlm.Scheduling.Tests;

public class CheapestIdleEvictionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_fewest_bytes_that_make_room_are_evicted()
    {
        // 10 GiB must be freed: the 12 GiB model alone beats the 4 + 8 pair and the 16 GiB model.
        LoadedRunner[] runners =
        [
            Runner("four", KeepAliveDuration.Default, gib: 4),
            Runner("eight", KeepAliveDuration.Default, gib: 8),
            Runner("twelve", KeepAliveDuration.Default, gib: 12),
            Runner("sixteen", KeepAliveDuration.Default, gib: 16),
        ];

        var plan = CheapestIdleEviction.Choose(runners, Frees(10), Now);

        Assert.Equal(["twelve"], plan.Victims.Select(v => v.ModelPath));
    }

    [Fact]
    public void A_busy_model_is_never_evicted_even_when_it_is_the_cheapest()
    {
        LoadedRunner[] runners = [Runner("busy-small", KeepAliveDuration.Zero, refs: 1, gib: 10), Runner("idle-big", KeepAliveDuration.Forever, gib: 30)];

        var plan = CheapestIdleEviction.Choose(runners, Frees(10), Now);

        Assert.Equal(["idle-big"], plan.Victims.Select(v => v.ModelPath));
    }

    [Fact]
    public void Pinned_models_go_only_when_nothing_else_makes_room()
    {
        LoadedRunner[] runners = [Runner("pinned", KeepAliveDuration.Forever, gib: 4), Runner("a", KeepAliveDuration.Default, gib: 6), Runner("b", KeepAliveDuration.Default, gib: 6)];

        Assert.Equal(["a", "b"], CheapestIdleEviction.Choose(runners, Frees(10), Now).Victims.Select(v => v.ModelPath).Order());
    }

    [Fact]
    public void Among_equal_sizes_the_shortest_remaining_keep_alive_goes()
    {
        LoadedRunner[] runners =
        [
            Runner("later", KeepAliveDuration.Default, gib: 8) with { ExpiresAt = Now.AddMinutes(4) },
            Runner("sooner", KeepAliveDuration.Default, gib: 8) with { ExpiresAt = Now.AddSeconds(30) },
        ];

        Assert.Equal(["sooner"], CheapestIdleEviction.Choose(runners, Frees(8), Now).Victims.Select(v => v.ModelPath));
    }

    [Fact]
    public void When_idle_models_cannot_make_room_the_busy_one_freeing_first_is_named_and_nothing_is_evicted()
    {
        LoadedRunner[] runners = [Runner("idle", KeepAliveDuration.Default, gib: 2), Runner("busy3", KeepAliveDuration.Default, refs: 3, gib: 20), Runner("busy1", KeepAliveDuration.Default, refs: 1, gib: 20)];

        var plan = CheapestIdleEviction.Choose(runners, Frees(10), Now);

        Assert.False(plan.CanEvictNow);
        Assert.Equal("busy1", plan.WaitFor!.ModelPath);
    }

    [Fact]
    public void Many_idle_models_are_chosen_greedily_and_pruned_to_what_is_needed()
    {
        var runners = Enumerable.Range(1, 30).Select(i => Runner($"m{i:00}", KeepAliveDuration.Default, gib: i)).ToArray();

        var plan = CheapestIdleEviction.Choose(runners, Frees(20), Now);

        Assert.True(plan.Victims.Sum(v => v.TotalBytes) >= 20 * Bytes.GiB);
        // Nothing chosen is superfluous: dropping any victim leaves too little.
        Assert.All(plan.Victims, v => Assert.True(plan.Victims.Sum(x => x.TotalBytes) - v.TotalBytes < 20 * Bytes.GiB));
        Assert.DoesNotContain(plan.Victims, v => v.RefCount > 0);
    }

    private static Func<IReadOnlyList<LoadedRunner>, bool> Frees(long gib) => victims => victims.Sum(v => v.TotalBytes) >= gib * Bytes.GiB;
}
