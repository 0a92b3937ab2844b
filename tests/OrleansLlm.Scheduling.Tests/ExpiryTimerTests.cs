using Microsoft.Extensions.Time.Testing;
using OrleansLlm.Scheduling.KeepAlive;

namespace OrleansLlm.Scheduling.Tests;

public class ExpiryTimerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_keep_alive_longer_than_a_timer_can_wait_is_waited_out_in_steps_none_over_the_limit()
    {
        // 200 days: every step, the first and each re-arm, stays within what a timer accepts, and the last one lands on the expiry.
        var clock = new FakeTimeProvider(Now);
        var expiresAt = Now + TimeSpan.FromDays(200);
        var steps = 0;
        TimeSpan due;
        while ((due = ExpiryTimer.NextDue(clock.GetUtcNow(), expiresAt)) > TimeSpan.Zero)
        {
            Assert.InRange(due, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(uint.MaxValue - 1));
            using var timer = clock.CreateTimer(_ => { }, null, due, Timeout.InfiniteTimeSpan); // .NET refuses a due time over the limit
            clock.Advance(due);
            steps++;
        }

        Assert.Equal(expiresAt, clock.GetUtcNow());
        Assert.Equal(5, steps);
    }

    [Fact]
    public void A_short_keep_alive_is_one_step_and_a_past_expiry_is_due_now()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), ExpiryTimer.NextDue(Now, Now.AddMinutes(5)));
        Assert.Equal(TimeSpan.Zero, ExpiryTimer.NextDue(Now, Now.AddSeconds(-1)));
    }
}
