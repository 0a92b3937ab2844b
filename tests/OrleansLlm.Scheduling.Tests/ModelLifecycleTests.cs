using Microsoft.Extensions.Time.Testing;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Lifecycle;

namespace OrleansLlm.Scheduling.Tests;

/// <summary>The model activation's states and transitions, without Orleans.</summary>
public class ModelLifecycleTests
{
    private static readonly KeepAliveDuration FiveMinutes = KeepAliveDuration.From(TimeSpan.FromMinutes(5));

    private static ModelLifecycle Ready()
    {
        var life = new ModelLifecycle(FiveMinutes);
        life.BeginLoad();
        life.Loaded();
        life.LoadEnded();
        return life;
    }

    [Fact]
    public void A_new_activation_is_unloaded_and_may_retire()
    {
        var life = new ModelLifecycle(FiveMinutes);

        Assert.Equal(ModelPhase.Unloaded, life.Phase);
        Assert.True(life.MayRetire);
        Assert.True(life.MayDeactivate);
        Assert.Equal(FiveMinutes, life.KeepAlive);
    }

    [Fact]
    public void A_load_goes_through_loading_to_ready()
    {
        var life = new ModelLifecycle(FiveMinutes);

        life.BeginLoad();
        Assert.Equal(ModelPhase.Loading, life.Phase);
        Assert.False(life.MayRetire);
        life.Loaded();

        Assert.True(life.IsServing);
        Assert.False(life.MayRetire);
    }

    [Fact]
    public void A_failed_load_may_not_retire_until_its_outcome_is_handled()
    {
        var life = new ModelLifecycle(FiveMinutes);
        life.BeginLoad();

        life.LoadFailed();
        Assert.Equal(ModelPhase.Unloaded, life.Phase);
        Assert.False(life.MayRetire); // still releasing its room

        life.LoadEnded();
        Assert.True(life.MayRetire);
    }

    [Fact]
    public void A_second_load_cannot_start_while_one_is_loading()
    {
        var life = new ModelLifecycle(FiveMinutes);
        life.BeginLoad();

        Assert.Throws<InvalidOperationException>(life.BeginLoad);
    }

    [Fact]
    public void A_runner_with_a_request_in_flight_cannot_be_unloaded()
    {
        var life = Ready();
        life.Acquire(FiveMinutes);

        Assert.Throws<InvalidOperationException>(life.BeginUnload);
        Assert.False(life.IsIdle);
        Assert.True(life.Release());
        life.BeginUnload();
        Assert.Equal(ModelPhase.Unloading, life.Phase);
    }

    [Fact]
    public void A_request_waiting_for_the_runner_keeps_the_model_from_retiring_and_from_eviction()
    {
        var life = Ready();
        life.BeginWait();

        Assert.False(life.IsIdle);
        life.BeginUnload();
        life.Unloaded();
        Assert.False(life.MayRetire);

        life.EndWait();
        Assert.True(life.MayRetire);
    }

    [Fact]
    public void An_open_stream_keeps_the_activation_but_not_its_room()
    {
        var life = new ModelLifecycle(FiveMinutes);
        life.StreamOpened();

        Assert.True(life.MayRetire);
        Assert.False(life.MayDeactivate);
        life.StreamClosed();
        Assert.True(life.MayDeactivate);
    }

    [Fact]
    public void A_leaving_activation_stays_leaving_when_its_load_fails_and_serves_nothing()
    {
        var life = new ModelLifecycle(FiveMinutes);
        life.BeginLoad();

        life.Leave();
        life.LoadFailed();

        Assert.True(life.IsLeaving);
        Assert.False(life.IsServing);
        Assert.Throws<InvalidOperationException>(life.BeginLoad);
    }

    [Fact]
    public void The_countdown_starts_when_the_last_request_ends_with_its_keep_alive()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        var life = Ready();
        life.Acquire(KeepAliveDuration.From(TimeSpan.FromMinutes(1)));
        life.Acquire(KeepAliveDuration.From(TimeSpan.FromMinutes(10)));

        Assert.False(life.Release());
        Assert.Null(life.StartCountdown(clock)); // one request still holds it
        Assert.True(life.Release());

        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromMinutes(10), life.StartCountdown(clock));
        Assert.False(life.HasExpired(clock.GetUtcNow()));
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True(life.HasExpired(clock.GetUtcNow()));
    }

    [Fact]
    public void A_new_request_stops_the_countdown()
    {
        var clock = new FakeTimeProvider();
        var life = Ready();
        life.StartCountdown(clock);

        life.Acquire(FiveMinutes);

        Assert.Null(life.ExpiresAt);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.False(life.HasExpired(clock.GetUtcNow()));
    }

    [Fact]
    public void A_pinned_model_has_no_countdown()
    {
        var life = Ready();
        life.KeepFor(KeepAliveDuration.Forever);

        Assert.Null(life.StartCountdown(new FakeTimeProvider()));
    }

    [Fact]
    public void Keep_alive_zero_unloads_when_idle_unless_a_reload_or_a_waiting_request_needs_the_runner()
    {
        var life = Ready();
        life.KeepFor(KeepAliveDuration.Zero);
        Assert.True(life.UnloadsWhenIdle);

        life.Reloading(true);
        Assert.False(life.UnloadsWhenIdle);
        Assert.False(life.IsServing);
        life.Reloading(false);

        life.BeginWait();
        Assert.False(life.UnloadsWhenIdle);
    }

    [Fact]
    public void Releasing_more_than_was_acquired_is_a_bug_not_a_negative_count()
    {
        var life = Ready();

        Assert.Throws<InvalidOperationException>(() => life.Release());
        Assert.Throws<InvalidOperationException>(life.EndWait);
        Assert.Throws<InvalidOperationException>(life.StreamClosed);
    }

    [Fact]
    public void A_drained_model_comes_back_elsewhere_while_its_own_countdown_runs_even_before_its_intent_is_written()
    {
        // The request that just ended released the runner and armed the countdown: the drain that
        // interleaves with its write of the durable intent must decide from this state.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        var life = Ready();
        life.Acquire(KeepAliveDuration.From(TimeSpan.FromHours(1)));
        Assert.True(life.Release());
        life.StartCountdown(clock);

        Assert.True(life.WantedAfterDrain(clock.GetUtcNow()));
        clock.Advance(TimeSpan.FromHours(1));
        Assert.False(life.WantedAfterDrain(clock.GetUtcNow()));
    }

    [Fact]
    public void A_drained_model_comes_back_when_pinned_and_not_when_kept_for_zero()
    {
        var now = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
        var pinned = Ready();
        pinned.KeepFor(KeepAliveDuration.Forever);
        var zero = Ready();
        zero.KeepFor(KeepAliveDuration.Zero);
        var unloaded = new ModelLifecycle(KeepAliveDuration.Forever);

        Assert.True(pinned.WantedAfterDrain(now));
        Assert.False(zero.WantedAfterDrain(now));
        Assert.False(unloaded.WantedAfterDrain(now));
    }

    [Fact]
    public void A_runner_yielding_its_room_serves_no_new_request_and_stops_yielding_once_unloaded()
    {
        var life = Ready();
        life.Acquire(FiveMinutes);

        Assert.True(life.BeginYield());
        Assert.False(life.IsServing);
        Assert.True(life.Release());
        life.BeginUnload();
        life.Unloaded();

        Assert.False(life.Yielding);
        Assert.True(life.MayRetire);
    }

    [Fact]
    public void A_pinned_runner_never_yields_its_room()
    {
        var life = Ready();
        life.Acquire(KeepAliveDuration.Forever);

        Assert.False(life.BeginYield());
        Assert.True(life.IsServing);
    }

    [Fact]
    public void A_runner_that_is_not_ready_does_not_yield()
    {
        var life = new ModelLifecycle(FiveMinutes);
        life.BeginLoad();

        Assert.False(life.BeginYield());
    }
}
