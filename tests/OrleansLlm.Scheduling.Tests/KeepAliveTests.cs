using System.Text.Json;
using OrleansLlm.Scheduling.KeepAlive;

namespace OrleansLlm.Scheduling.Tests;

public class KeepAliveTests
{
    [Theory]
    [InlineData("\"5m\"", 300)]
    [InlineData("\"1h30m\"", 5400)]
    [InlineData("\"300ms\"", 0.3)]
    [InlineData("\"1.5h\"", 5400)]
    [InlineData("\"2h45m30.5s\"", 9930.5)]
    [InlineData("\"0\"", 0)]
    [InlineData("\"0s\"", 0)]
    [InlineData("300", 300)]
    [InlineData("0.25", 0.25)]
    [InlineData("0", 0)]
    public void Ollamas_keep_alive_forms_parse_to_their_durations(string json, double seconds)
    {
        var keepAlive = KeepAliveParser.FromRequest(Json(json))!.Value;

        Assert.False(keepAlive.IsForever);
        Assert.Equal(TimeSpan.FromSeconds(seconds), keepAlive.Duration);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("-0.5")]
    [InlineData("\"-1m\"")]
    [InlineData("\"-1ns\"")]
    public void A_negative_keep_alive_is_forever(string json) =>
        Assert.True(KeepAliveParser.FromRequest(Json(json))!.Value.IsForever);

    [Fact]
    public void Zero_unloads_as_soon_as_idle()
    {
        Assert.True(KeepAliveParser.FromRequest(Json("0"))!.Value.UnloadsWhenIdle);
        Assert.False(KeepAliveDuration.Forever.UnloadsWhenIdle);
    }

    [Fact]
    public void An_absent_keep_alive_is_not_given_and_the_server_default_is_five_minutes()
    {
        Assert.Null(KeepAliveParser.FromRequest(null));
        Assert.Null(KeepAliveParser.FromRequest(Json("null")));
        Assert.Equal(TimeSpan.FromMinutes(5), KeepAliveParser.FromEnvironment(null).Duration);
    }

    [Theory]
    [InlineData("\"10\"", "has no unit")]
    [InlineData("\"-1\"", "has no unit")]
    [InlineData("\"five minutes\"", "not a duration")]
    [InlineData("\"5 m\"", "unknown unit")]
    [InlineData("\"5d\"", "unknown unit 'd'")]
    [InlineData("\"\"", "empty")]
    [InlineData("true", "expected a number of seconds")]
    [InlineData("[1]", "expected a number of seconds")]
    public void An_invalid_keep_alive_is_a_clear_error(string json, string reason)
    {
        var error = Assert.Throws<KeepAliveFormatException>(() => KeepAliveParser.FromRequest(Json(json)));
        Assert.Contains("invalid keep_alive", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("600", 600)]
    [InlineData("10m", 600)]
    [InlineData("-1", -1)]
    [InlineData("", 300)]
    public void OLLAMA_KEEP_ALIVE_takes_integer_seconds_or_a_duration(string value, int seconds)
    {
        var keepAlive = KeepAliveParser.FromEnvironment(value);
        if (seconds < 0)
            Assert.True(keepAlive.IsForever);
        else
            Assert.Equal(TimeSpan.FromSeconds(seconds), keepAlive.Duration);
    }

    [Fact]
    public void An_invalid_OLLAMA_KEEP_ALIVE_stops_the_server_instead_of_being_ignored()
    {
        var error = Assert.Throws<KeepAliveFormatException>(() => KeepAliveParser.FromEnvironment("soon"));
        Assert.Contains("OLLAMA_KEEP_ALIVE", error.Message);
    }

    [Fact]
    public void Expiry_is_counted_from_the_injected_clock_and_forever_never_expires()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(clock.Now.AddMinutes(5), KeepAliveDuration.Default.ExpiresAt(clock));
        Assert.Equal(clock.Now, KeepAliveDuration.Zero.ExpiresAt(clock));
        Assert.Null(KeepAliveDuration.Forever.ExpiresAt(clock));
    }

    [Fact]
    public void Keep_alives_order_shortest_first_and_forever_last()
    {
        KeepAliveDuration[] values = [KeepAliveDuration.Forever, KeepAliveDuration.Default, KeepAliveDuration.Zero, KeepAliveDuration.From(TimeSpan.FromHours(24))];

        var ordered = values.Order().ToArray();

        Assert.Equal([KeepAliveDuration.Zero, KeepAliveDuration.Default, KeepAliveDuration.From(TimeSpan.FromHours(24)), KeepAliveDuration.Forever], ordered);
    }

    [Theory]
    [InlineData(300, "5m0s")]
    [InlineData(5400, "1h30m0s")]
    [InlineData(0.3, "300ms")]
    public void Durations_print_as_go_prints_them(double seconds, string text) =>
        Assert.Equal(text, GoDuration.Format(TimeSpan.FromSeconds(seconds)));

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;
}

internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
