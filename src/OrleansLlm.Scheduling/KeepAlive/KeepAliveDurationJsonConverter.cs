using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansLlm.Scheduling.KeepAlive;

/// <summary>Writes a keep-alive as its ticks, or -1 for forever, so it crosses process boundaries exactly.</summary>
public sealed class KeepAliveDurationJsonConverter : JsonConverter<KeepAliveDuration>
{
    public override KeepAliveDuration Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var ticks = reader.GetInt64();
        return ticks < 0 ? KeepAliveDuration.Forever : KeepAliveDuration.From(TimeSpan.FromTicks(ticks));
    }

    public override void Write(Utf8JsonWriter writer, KeepAliveDuration value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value.IsForever ? -1 : value.Duration.Ticks);
    }
}
