namespace OrleansLlm.Scheduling.KeepAlive;

/// <summary>
/// When to wake up for an expiry. Timers (Orleans' grain timers, .NET's) take a due time of at
/// most 2^32 − 2 ms, about 49.7 days: a longer keep-alive is waited out in steps of at most
/// <see cref="MaxDue"/>, every step computed the same way, so none can exceed the limit.
/// </summary>
public static class ExpiryTimer
{
    public static readonly TimeSpan MaxDue = TimeSpan.FromDays(49);

    public static TimeSpan NextDue(DateTimeOffset now, DateTimeOffset expiresAt)
    {
        var left = expiresAt - now;
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left > MaxDue ? MaxDue : left;
    }
}
