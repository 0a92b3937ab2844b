using System.Text.Json.Serialization;

namespace OrleansLlm.Scheduling.KeepAlive;

/// <summary>
/// How long an idle model stays loaded: a duration, zero (unload as soon as idle) or forever
/// (any negative value, Ollama's way of pinning a model).
/// </summary>
[JsonConverter(typeof(KeepAliveDurationJsonConverter))]
public readonly record struct KeepAliveDuration : IComparable<KeepAliveDuration>
{
    private readonly TimeSpan _duration;

    private KeepAliveDuration(TimeSpan duration, bool forever)
    {
        _duration = duration;
        IsForever = forever;
    }

    /// <summary>Ollama's server default (<c>OLLAMA_KEEP_ALIVE</c> unset): five minutes.</summary>
    public static KeepAliveDuration Default { get; } = new(TimeSpan.FromMinutes(5), false);

    public static KeepAliveDuration Forever { get; } = new(TimeSpan.MaxValue, true);

    public static KeepAliveDuration Zero { get; } = new(TimeSpan.Zero, false);

    public bool IsForever { get; }

    /// <summary><c>keep_alive: 0</c>: unload the moment the last request finishes.</summary>
    public bool UnloadsWhenIdle => !IsForever && _duration == TimeSpan.Zero;

    /// <summary>The duration; <see cref="TimeSpan.MaxValue"/> when forever.</summary>
    public TimeSpan Duration => _duration;

    /// <summary>A duration; negative means forever.</summary>
    public static KeepAliveDuration From(TimeSpan duration) => duration < TimeSpan.Zero ? Forever : new(duration, false);

    /// <summary>When a model idle from <paramref name="idleSince"/> expires; null when it never does.</summary>
    public DateTimeOffset? ExpiresAt(DateTimeOffset idleSince)
    {
        if (IsForever)
            return null;
        return _duration >= DateTimeOffset.MaxValue - idleSince ? null : idleSince + _duration;
    }

    /// <summary>When a model that goes idle now, by <paramref name="clock"/>, expires; null when it never does.</summary>
    public DateTimeOffset? ExpiresAt(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return ExpiresAt(clock.GetUtcNow());
    }

    /// <summary>Shorter first, forever last: the seed's eviction order.</summary>
    public int CompareTo(KeepAliveDuration other) => (IsForever, other.IsForever) switch
    {
        (true, true) => 0,
        (true, false) => 1,
        (false, true) => -1,
        _ => _duration.CompareTo(other._duration),
    };

    public static bool operator <(KeepAliveDuration left, KeepAliveDuration right) => left.CompareTo(right) < 0;
    public static bool operator >(KeepAliveDuration left, KeepAliveDuration right) => left.CompareTo(right) > 0;
    public static bool operator <=(KeepAliveDuration left, KeepAliveDuration right) => left.CompareTo(right) <= 0;
    public static bool operator >=(KeepAliveDuration left, KeepAliveDuration right) => left.CompareTo(right) >= 0;

    public override string ToString() => IsForever ? "forever" : GoDuration.Format(_duration);
}
