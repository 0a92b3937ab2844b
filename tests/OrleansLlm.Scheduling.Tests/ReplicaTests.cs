using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;
using OrleansLlm.Scheduling.Replicas;

namespace OrleansLlm.Scheduling.Tests;

/// <summary>Replicas of hot models: keys, routing, when to add one, and where it may go.</summary>
public class ReplicaTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly RunnerOptions Options = RunnerOptions.Default;
    private static readonly RunnerOptions OtherOptions = RunnerOptions.Default with { NumCtx = 8192 };
    private const int Slots = 4;

    private static ReplicaView Ready(int index, int inFlight, RunnerOptions? options = null) => new(index, true, inFlight, options ?? Options);

    [Theory]
    [InlineData("/models/llama3/latest.gguf", "/models/llama3/latest.gguf", 0)]
    [InlineData("/models/llama3/latest.gguf#replica-2", "/models/llama3/latest.gguf", 2)]
    [InlineData("/models/llama3/latest.gguf#replica-0", "/models/llama3/latest.gguf#replica-0", 0)]
    [InlineData("/models/llama3/latest.gguf#replica-02", "/models/llama3/latest.gguf#replica-02", 0)]
    [InlineData("/models/llama3/latest.gguf#replica--1", "/models/llama3/latest.gguf#replica--1", 0)]
    [InlineData("/models/llama3/latest.gguf#replica-", "/models/llama3/latest.gguf#replica-", 0)]
    [InlineData("#replica-3", "#replica-3", 0)]
    public void A_key_names_the_model_file_and_which_of_its_runners(string key, string path, int replica)
    {
        var parsed = ModelKey.Parse(key);
        Assert.Equal(new ModelKey(path, replica), parsed);
        Assert.Equal(key, parsed.ToString()); // every key round-trips: one runner, one key
    }

    [Fact]
    public void Siblings_are_the_other_runners_of_the_same_model_only()
    {
        var primary = ModelKey.Primary("/m/a.gguf");
        Assert.True(primary.IsSiblingOf("/m/a.gguf#replica-1"));
        Assert.False(primary.IsSiblingOf("/m/a.gguf"));
        Assert.False(primary.IsSiblingOf("/m/b.gguf#replica-1"));
        Assert.True(new ModelKey("/m/a.gguf", 2).IsSiblingOf("/m/a.gguf"));
    }

    [Fact]
    public void A_request_goes_to_the_ready_runner_with_the_most_free_slots()
    {
        Assert.Equal(2, ReplicaRouting.Choose([Ready(0, 5), Ready(1, 3), Ready(2, 1)], Options, Slots));
        // All full: the fewest in flight (the shortest wait for a slot).
        Assert.Equal(1, ReplicaRouting.Choose([Ready(0, 9), Ready(1, 6)], Options, Slots));
    }

    [Fact]
    public void Ties_and_idle_runners_go_to_the_primary_so_that_replicas_can_expire()
    {
        Assert.Equal(0, ReplicaRouting.Choose([Ready(0, 0), Ready(1, 0), Ready(2, 0)], Options, Slots));
        Assert.Equal(1, ReplicaRouting.Choose([Ready(0, 2), Ready(2, 1), Ready(1, 1)], Options, Slots));
    }

    [Fact]
    public void A_runner_that_is_not_ready_or_has_other_options_takes_nothing_and_with_none_ready_the_primary_loads()
    {
        Assert.Equal(0, ReplicaRouting.Choose([new ReplicaView(0, false, 0, null), new ReplicaView(1, false, 0, Options, Starting: true)], Options, Slots));
        Assert.Equal(0, ReplicaRouting.Choose([new ReplicaView(0, false, 0, null), Ready(1, 0, OtherOptions)], Options, Slots));
        Assert.Equal(1, ReplicaRouting.Choose([new ReplicaView(0, false, 0, null), Ready(1, 7)], Options, Slots));
    }

    [Fact]
    public void Saturated_means_every_runner_with_the_options_has_all_its_slots_taken_and_none_is_starting()
    {
        Assert.True(ReplicaRule.Saturated([Ready(0, 4)], Options, Slots));
        Assert.True(ReplicaRule.Saturated([Ready(0, 6), Ready(1, 4)], Options, Slots));
        Assert.False(ReplicaRule.Saturated([Ready(0, 6), Ready(1, 3)], Options, Slots));
        Assert.False(ReplicaRule.Saturated([Ready(0, 6), new ReplicaView(1, false, 0, Options, Starting: true)], Options, Slots));
        Assert.False(ReplicaRule.Saturated([new ReplicaView(0, false, 0, null)], Options, Slots)); // not loaded: its own load comes first
        Assert.False(ReplicaRule.Saturated([Ready(0, 6, OtherOptions)], Options, Slots)); // a reload, not a replica
    }

    [Fact]
    public void A_replica_is_added_only_after_the_threshold_and_below_the_cap()
    {
        var settings = new ReplicaSettings { MaxReplicas = 2, AddAfter = TimeSpan.FromSeconds(2) };
        Assert.False(ReplicaRule.ShouldAdd([Ready(0, 4)], null, Now, settings));
        Assert.False(ReplicaRule.ShouldAdd([Ready(0, 4)], Now - TimeSpan.FromSeconds(1), Now, settings));
        Assert.True(ReplicaRule.ShouldAdd([Ready(0, 4)], Now - TimeSpan.FromSeconds(2), Now, settings));
        Assert.False(ReplicaRule.ShouldAdd([Ready(0, 4), Ready(1, 4)], Now - TimeSpan.FromMinutes(1), Now, settings));
        Assert.False(ReplicaRule.ShouldAdd([Ready(0, 4)], Now - TimeSpan.FromMinutes(1), Now, settings with { MaxReplicas = 1 })); // off: the seed's one runner
    }

    [Fact]
    public void The_next_replica_takes_the_lowest_free_index()
    {
        Assert.Equal(1, ReplicaRule.NextIndex([Ready(0, 0)]));
        Assert.Equal(2, ReplicaRule.NextIndex([Ready(0, 0), Ready(1, 0), Ready(3, 0)]));
    }

    [Fact]
    public void A_replica_is_never_pinned()
    {
        var fiveMinutes = KeepAliveDuration.Default;
        Assert.Equal(KeepAliveDuration.From(TimeSpan.FromSeconds(30)), ReplicaRule.KeepAlive(KeepAliveDuration.From(TimeSpan.FromSeconds(30)), fiveMinutes));
        Assert.Equal(KeepAliveDuration.From(TimeSpan.FromMinutes(10)), ReplicaRule.KeepAlive(KeepAliveDuration.Forever, KeepAliveDuration.From(TimeSpan.FromMinutes(10))));
        Assert.Equal(fiveMinutes, ReplicaRule.KeepAlive(KeepAliveDuration.Forever, KeepAliveDuration.Forever));
    }

    [Fact]
    public void A_replica_goes_only_where_no_runner_of_its_model_is_and_where_it_loads_at_once()
    {
        HostChoice[] ranked =
        [
            new("a", HostChoiceKind.FitsNow, 1, 0, ""),
            new("e", HostChoiceKind.FitsNow, 1, 0, ""),
            new("b", HostChoiceKind.AfterEviction, 1, 0, ""),
            new("c", HostChoiceKind.FitsPartially, 1, 0, ""),
            new("d", HostChoiceKind.AfterWaiting, 1, 0, ""),
        ];
        var siblings = new HashSet<string> { "a" };
        Assert.Equal(["e", "b"], ReplicaPlacement.Filter(new ModelKey("/m/a.gguf", 1), ranked, siblings).Select(c => c.Host));
        Assert.Empty(ReplicaPlacement.Filter(new ModelKey("/m/a.gguf", 1), [ranked[0], ranked[3], ranked[4]], siblings));
    }

    [Fact]
    public void A_primary_goes_anywhere_but_after_hosts_of_the_same_kind_that_hold_its_replicas()
    {
        HostChoice[] ranked =
        [
            new("a", HostChoiceKind.FitsNow, 1, 0, ""),
            new("e", HostChoiceKind.FitsNow, 2, 0, ""),
            new("d", HostChoiceKind.AfterWaiting, 1, 0, ""),
        ];
        Assert.Equal(["e", "a", "d"], ReplicaPlacement.Filter(ModelKey.Primary("/m/a.gguf"), ranked, new HashSet<string> { "a" }).Select(c => c.Host));
        Assert.Equal(["a", "e", "d"], ReplicaPlacement.Filter(ModelKey.Primary("/m/a.gguf"), ranked, new HashSet<string>()).Select(c => c.Host));
    }
}
