using System.Globalization;
using System.Text;

namespace OrleansLlm.Scheduling.KeepAlive;

/// <summary>
/// Go's duration syntax (<c>time.ParseDuration</c>), which Ollama's <c>keep_alive</c> strings use:
/// an optional sign, then one or more decimal numbers each with a unit — ns, us (µs), ms, s, m, h —
/// as in <c>"300ms"</c>, <c>"1.5h"</c>, <c>"1h30m"</c>, <c>"-1m"</c>. A bare <c>"0"</c> is zero.
/// </summary>
public static class GoDuration
{
    private static readonly (string Unit, decimal Ticks)[] Units =
    [
        ("ns", 0.01m), ("us", 10m), ("µs", 10m), ("μs", 10m), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string? text, out TimeSpan duration, out string? error)
    {
        duration = TimeSpan.Zero;
        error = null;
        if (string.IsNullOrEmpty(text))
            return Fail("an empty string is not a duration", out error);
        var s = text.AsSpan();
        var negative = s[0] == '-';
        if (s[0] is '-' or '+')
            s = s[1..];
        if (s is "0")
            return true;
        if (s.IsEmpty)
            return Fail($"'{text}' is not a duration", out error);

        decimal ticks = 0;
        while (!s.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || s[numberLength] == '.'))
                numberLength++;
            if (numberLength == 0 || !decimal.TryParse(s[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                return Fail($"'{text}' is not a duration: expected a number at '{s.ToString()}'", out error);
            s = s[numberLength..];
            var unitLength = 0;
            while (unitLength < s.Length && !char.IsAsciiDigit(s[unitLength]) && s[unitLength] != '.')
                unitLength++;
            if (unitLength == 0)
                return Fail($"'{text}' is not a duration: '{number}' has no unit (use s, m or h, as in \"{number}s\")", out error);
            var unit = s[..unitLength].ToString();
            var scale = Array.Find(Units, u => u.Unit == unit).Ticks;
            if (scale == 0)
                return Fail($"'{text}' is not a duration: unknown unit '{unit}' (use ns, us, ms, s, m or h)", out error);
            try
            {
                ticks += number * scale;
            }
            catch (OverflowException)
            {
                return Fail($"'{text}' is too long a duration", out error);
            }
            if (ticks > TimeSpan.MaxValue.Ticks)
                return Fail($"'{text}' is too long a duration", out error);
            s = s[unitLength..];
        }
        // Below one 100 ns tick still counts: "-1ns" is negative (forever), not zero.
        var whole = (long)decimal.Round(ticks);
        if (whole == 0 && ticks > 0)
            whole = 1;
        duration = TimeSpan.FromTicks(whole);
        if (negative)
            duration = -duration;
        return true;
    }

    /// <summary>Formats as Go does: <c>5m0s</c>, <c>1h30m0s</c>, <c>300ms</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
            return "0s";
        var builder = new StringBuilder();
        if (duration < TimeSpan.Zero)
        {
            builder.Append('-');
            duration = duration.Duration();
        }
        if (duration < TimeSpan.FromSeconds(1))
            return builder.Append(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.###}ms").ToString();
        var hours = (long)duration.TotalHours;
        if (hours > 0)
            builder.Append(CultureInfo.InvariantCulture, $"{hours}h");
        if (hours > 0 || duration.Minutes > 0)
            builder.Append(CultureInfo.InvariantCulture, $"{duration.Minutes}m");
        var seconds = duration.Seconds + (duration.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond);
        return builder.Append(CultureInfo.InvariantCulture, $"{seconds:0.#########}s").ToString();
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
