using OrleansLlm.Gguf;
using OrleansLlm.Scheduling.Admission;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;
using static OrleansLlm.Scheduling.Tests.TestModels;

namespace OrleansLlm.Scheduling.Tests;

/// <summary>Every rule of <see cref="LoadAdmission"/>, one row each: the claim the director makes and the load the model grain asks for.</summary>
public class LoadAdmissionTests
{
    private const string Model = "/m/8b";
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly HostSnapshot Empty = new([Gpu("0", 24)], Cpu(64), []);

    private static AdmissionDecision Decide(SiloLoads silo, HostChoiceKind? claimFor = null, int relocations = 0, GgufFile? model = null) =>
        LoadAdmission.Decide(model ?? Llama8B, new LoadAsk { ModelPath = Model, Options = RunnerOptions.Default, ClaimFor = claimFor, Relocations = relocations },
            silo, SchedulerSettings.Default, Now);

    private static SiloLoads On(HostSnapshot host) => new() { Host = host };

    private static QueuedLoad Queued(string path, int requests = 1, TimeSpan waited = default) => new(path, Now - waited, requests);

    private static HostSnapshot With(params LoadedRunner[] runners) => Empty with { Runners = runners };

    private static AdmissionDecision Decide(SiloLoads silo, SchedulerSettings settings, int waitingRequests = 1) =>
        LoadAdmission.Decide(Llama8B, new LoadAsk { ModelPath = Model, Options = RunnerOptions.Default, WaitingRequests = waitingRequests }, silo, settings, Now);

    private static LoadedRunner Runner(string path, long gib, int refs = 0, bool loading = false, bool pinned = false) => new()
    {
        ModelPath = path,
        RefCount = refs,
        Loading = loading,
        LoadedAt = loading ? null : Now - TimeSpan.FromMinutes(10),
        KeepAlive = pinned ? KeepAliveDuration.Forever : KeepAliveDuration.Default,
        TotalBytes = gib * Bytes.GiB,
        VramByGpu = new Dictionary<string, long> { ["0"] = gib * Bytes.GiB },
    };

    [Fact]
    public void A_claim_where_the_model_fits_holds_the_room()
    {
        var decision = Decide(On(Empty), claimFor: HostChoiceKind.FitsNow);

        Assert.Equal(AdmissionVerdict.Grant, decision.Verdict);
        Assert.Equal("0", Assert.Single(decision.Placement!.Devices).Id);
    }

    [Fact]
    public void A_claim_whose_room_is_gone_is_refused()
    {
        var decision = Decide(On(With(Runner("/m/busy", 20, refs: 1))), claimFor: HostChoiceKind.FitsNow);

        Assert.Equal(AdmissionVerdict.Relocate, decision.Verdict);
    }

    [Fact]
    public void A_claim_to_wait_behind_busy_models_takes_a_place_in_the_queue_and_no_memory()
    {
        var decision = Decide(On(With(Runner("/m/busy", 20, refs: 1))), claimFor: HostChoiceKind.AfterWaiting);

        Assert.Equal(AdmissionVerdict.Wait, decision.Verdict);
        Assert.Null(decision.Placement);
    }

    [Theory]
    [InlineData(ReservationKind.QueueOnly)]
    [InlineData(ReservationKind.Loading)]
    [InlineData(ReservationKind.Loaded)]
    public void A_retried_claim_keeps_what_the_model_already_has(ReservationKind existing)
    {
        var decision = Decide(On(With(Runner("/m/busy", 20, refs: 1))) with { Existing = existing }, claimFor: HostChoiceKind.FitsNow);

        Assert.Equal(AdmissionVerdict.Held, decision.Verdict);
    }

    [Theory]
    [InlineData(ReservationKind.Loading)]
    [InlineData(ReservationKind.Loaded)]
    public void A_load_already_reserved_is_held_not_granted_twice(ReservationKind existing)
    {
        var decision = Decide(On(With(Runner("/m/busy", 20, refs: 1))) with { Existing = existing });

        Assert.Equal(AdmissionVerdict.Held, decision.Verdict);
    }

    [Fact]
    public void A_claimed_load_that_fits_is_granted()
    {
        var decision = Decide(On(Empty) with { Existing = ReservationKind.Claim, ExistingHoldsRoom = true, ExistingClaimedAs = HostChoiceKind.FitsNow });

        Assert.Equal(AdmissionVerdict.Grant, decision.Verdict);
        Assert.False(decision.Overtook);
        Assert.False(decision.Queued);
    }

    [Theory]
    [InlineData(0, AdmissionVerdict.Grant)]
    [InlineData(2, AdmissionVerdict.Grant)]
    [InlineData(LoadAdmission.MaxOvertakes, AdmissionVerdict.Wait)]
    public void A_load_that_fits_passes_the_queue_head_at_most_three_times_in_a_row(int overtakes, AdmissionVerdict expected)
    {
        var silo = On(Empty) with { Existing = ReservationKind.Claim, ExistingHoldsRoom = true, Queue = [Queued("/m/head")], Overtakes = overtakes };

        var decision = Decide(silo);

        Assert.Equal(expected, decision.Verdict);
        Assert.Equal(expected == AdmissionVerdict.Grant, decision.Overtook);
    }

    [Theory]
    [InlineData(5, AdmissionVerdict.Relocate)]
    [InlineData(11, AdmissionVerdict.Grant)]
    public void A_model_sent_away_moments_ago_that_comes_back_without_a_claim_goes_to_the_director_again(int secondsAgo, AdmissionVerdict expected)
    {
        var decision = Decide(On(Empty) with { SentAwayAt = Now - TimeSpan.FromSeconds(secondsAgo) });

        Assert.Equal(expected, decision.Verdict);
    }

    [Theory]
    [InlineData(null, 0, AdmissionVerdict.Relocate)]
    [InlineData(HostChoiceKind.FitsPartially, 0, AdmissionVerdict.Grant)]
    [InlineData(null, 1, AdmissionVerdict.Grant)]
    public void A_partial_offload_is_sent_away_unless_the_director_chose_it_or_the_request_was_already_re_placed(HostChoiceKind? claimedAs, int relocations, AdmissionVerdict expected)
    {
        var silo = On(new HostSnapshot([Gpu("0", 24)], Cpu(128), [])) with
        {
            Existing = claimedAs is null ? null : ReservationKind.Claim,
            ExistingHoldsRoom = claimedAs is not null,
            ExistingClaimedAs = claimedAs,
        };

        var decision = Decide(silo, relocations: relocations, model: Llama70B);

        Assert.Equal(expected, decision.Verdict);
        Assert.Equal(expected == AdmissionVerdict.Relocate, decision.SentAway);
    }

    [Theory]
    [InlineData(0, AdmissionVerdict.Relocate)]
    [InlineData(1, AdmissionVerdict.TooLarge)]
    public void A_model_too_large_for_the_silo_is_placed_again_once_then_refused(int relocations, AdmissionVerdict expected)
    {
        var tiny = new HostSnapshot([Gpu("0", 8)], Cpu(8), []);

        var decision = Decide(On(tiny), relocations: relocations, model: Llama70B);

        Assert.Equal(expected, decision.Verdict);
        Assert.Contains("requires", decision.Reason);
    }

    [Theory]
    [InlineData(0, AdmissionVerdict.Relocate)]
    [InlineData(1, AdmissionVerdict.Wait)]
    public void A_claim_whose_room_was_taken_meanwhile_is_placed_again_once_then_waits(int relocations, AdmissionVerdict expected)
    {
        var silo = On(With(Runner("/m/busy", 20, refs: 1))) with { Existing = ReservationKind.Claim, ExistingHoldsRoom = true, ExistingClaimedAs = HostChoiceKind.FitsNow };

        var decision = Decide(silo, relocations: relocations);

        Assert.Equal(expected, decision.Verdict);
    }

    [Fact]
    public void A_model_loading_again_where_it_last_ran_asks_the_director_before_it_evicts_here()
    {
        var decision = Decide(On(With(Runner("/m/idle", 20))));

        Assert.Equal(AdmissionVerdict.Relocate, decision.Verdict);
        Assert.True(decision.SentAway);
    }

    [Fact]
    public void A_queued_load_evicts_the_idle_model_in_its_way()
    {
        var silo = On(With(Runner("/m/idle", 20))) with { Existing = ReservationKind.QueueOnly, Queue = [Queued(Model)] };

        var decision = Decide(silo);

        Assert.Equal(AdmissionVerdict.Evict, decision.Verdict);
        Assert.Equal("/m/idle", Assert.Single(decision.Victims).ModelPath);
        Assert.True(decision.Queued);
    }

    [Fact]
    public void A_busy_model_is_never_evicted_the_load_waits_for_it()
    {
        var silo = On(With(Runner("/m/busy", 20, refs: 2))) with { Existing = ReservationKind.QueueOnly, Queue = [Queued(Model)] };

        var decision = Decide(silo);

        Assert.Equal(AdmissionVerdict.Wait, decision.Verdict);
        Assert.Contains("/m/busy", decision.Reason);
        Assert.Empty(decision.Victims);
    }

    [Fact]
    public void No_load_or_claim_takes_the_room_a_load_ahead_is_evicting_or_draining_for()
    {
        var silo = On(Empty) with { Existing = ReservationKind.QueueOnly, Queue = [Queued("/m/head"), Queued(Model)], RoomBeingMadeForAnother = true };

        Assert.Equal(AdmissionVerdict.Wait, Decide(silo).Verdict);
        Assert.Equal(AdmissionVerdict.Wait, Decide(On(Empty) with { RoomBeingMadeForAnother = true }, claimFor: HostChoiceKind.FitsNow).Verdict);
        Assert.Equal(AdmissionVerdict.Grant, Decide(silo with { RoomBeingMadeForAnother = false }).Verdict); // an overtake
    }

    [Fact]
    public void A_load_that_waited_past_the_bound_behind_a_busy_model_asks_it_to_drain()
    {
        var settings = SchedulerSettings.Default with { DrainBusyAfter = TimeSpan.FromSeconds(30) };
        var silo = On(With(Runner("/m/busy", 20, refs: 2))) with { Existing = ReservationKind.QueueOnly, Queue = [Queued(Model, waited: TimeSpan.FromSeconds(30))] };

        var decision = Decide(silo, settings);

        Assert.Equal(AdmissionVerdict.DrainBusy, decision.Verdict);
        Assert.Equal("/m/busy", Assert.Single(decision.Victims).ModelPath);
        Assert.True(decision.Queued);
        Assert.Equal(AdmissionVerdict.Wait, Decide(silo with { Queue = [Queued(Model, waited: TimeSpan.FromSeconds(29))] }, settings).Verdict);
    }

    [Fact]
    public void With_draining_off_a_busy_model_keeps_its_memory_however_long_the_load_waits()
    {
        var silo = On(With(Runner("/m/busy", 20, refs: 2))) with { Existing = ReservationKind.QueueOnly, Queue = [Queued(Model, waited: TimeSpan.FromHours(1))] };

        var decision = Decide(silo, SchedulerSettings.Default with { DrainBusyAfter = null });

        Assert.Equal(AdmissionVerdict.Wait, decision.Verdict);
        Assert.Empty(decision.Victims);
    }

    [Fact]
    public void A_pinned_busy_model_is_never_drained()
    {
        var silo = On(With(Runner("/m/pinned", 20, refs: 2, pinned: true))) with { Existing = ReservationKind.QueueOnly, Queue = [Queued(Model, waited: TimeSpan.FromHours(1))] };

        var decision = Decide(silo, SchedulerSettings.Default);

        Assert.Equal(AdmissionVerdict.Wait, decision.Verdict);
        Assert.Empty(decision.Victims);
    }

    [Fact]
    public void Only_the_head_of_the_queue_drains_busy_models()
    {
        var silo = On(With(Runner("/m/busy", 20, refs: 2))) with
        {
            Existing = ReservationKind.QueueOnly,
            Queue = [Queued("/m/first", waited: TimeSpan.FromMinutes(5)), Queued(Model, waited: TimeSpan.FromMinutes(4))],
        };

        Assert.Equal(AdmissionVerdict.Wait, Decide(silo, SchedulerSettings.Default).Verdict);
    }

    [Theory]
    [InlineData(LoadOrder.Demand, AdmissionVerdict.Evict)]
    [InlineData(LoadOrder.Fifo, AdmissionVerdict.Wait)]
    public void A_load_that_more_requests_wait_for_goes_before_an_earlier_one(LoadOrder order, AdmissionVerdict expected)
    {
        var silo = On(With(Runner("/m/idle", 20))) with
        {
            Existing = ReservationKind.QueueOnly,
            Queue = [Queued("/m/first", requests: 1, waited: TimeSpan.FromSeconds(10)), Queued(Model, waited: TimeSpan.FromSeconds(5))],
        };

        var decision = Decide(silo, SchedulerSettings.Default with { LoadOrder = order }, waitingRequests: 6);

        Assert.Equal(expected, decision.Verdict);
    }

    [Fact]
    public void Only_the_idle_models_are_evicted_beside_a_busy_one()
    {
        var silo = On(With(Runner("/m/busy", 10, refs: 1), Runner("/m/idle-a", 6), Runner("/m/idle-b", 6))) with { Existing = ReservationKind.QueueOnly, Queue = [Queued(Model)] };

        var decision = Decide(silo);

        Assert.Equal(AdmissionVerdict.Evict, decision.Verdict);
        Assert.DoesNotContain(decision.Victims, v => v.ModelPath == "/m/busy");
    }

    [Fact]
    public void A_load_behind_others_in_the_queue_waits_its_turn()
    {
        var silo = On(With(Runner("/m/idle", 20))) with { Existing = ReservationKind.QueueOnly, Queue = [Queued("/m/first"), Queued(Model)] };

        var decision = Decide(silo);

        Assert.Equal(AdmissionVerdict.Wait, decision.Verdict);
        Assert.Equal("1 load(s) ahead on this silo", decision.Reason);
    }

    [Fact]
    public void A_load_waits_while_the_gpu_is_busy_loading_another_model()
    {
        var silo = On(With(Runner("/m/loading", 20, loading: true))) with { Existing = ReservationKind.QueueOnly, Queue = [Queued(Model)] };

        var decision = Decide(silo);

        Assert.Equal(AdmissionVerdict.Wait, decision.Verdict);
        Assert.Contains("loading", decision.Reason);
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData(null, 3)]
    [InlineData(HostChoiceKind.FitsNow, 0)]
    public void A_silo_shutting_down_refuses_claims_and_sends_loads_away_whatever_the_budget(HostChoiceKind? claimFor, int relocations)
    {
        var decision = Decide(On(Empty) with { Draining = true }, claimFor: claimFor, relocations: relocations);

        Assert.Equal(AdmissionVerdict.Relocate, decision.Verdict);
        Assert.Contains("shutting down", decision.Reason);
    }

    [Fact]
    public void A_model_already_loaded_on_a_silo_shutting_down_keeps_its_reservation_until_it_drains()
    {
        var decision = Decide(On(Empty) with { Draining = true, Existing = ReservationKind.Loaded });

        Assert.Equal(AdmissionVerdict.Held, decision.Verdict);
    }
}
