using System.Text.Json;
using System.Text.Json.Serialization;
using SseVirtualization.Gateway.Functions;

namespace SseVirtualization.Gateway.Http;

/// <summary>
/// A <see cref="TimeSpan"/> as a Go duration string (<c>"30s"</c>, <c>"1m30s"</c>, <c>"500ms"</c>), the form the Go
/// project's clients send and read; see <see cref="GoDuration"/>. Anything else is a <see cref="JsonException"/>,
/// which the body reader answers as a 400 naming the field.
/// </summary>
internal class GoDurationJsonConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && GoDuration.TryParse(reader.GetString()!, out var duration)
            ? duration
            : ReadOther(ref reader);

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteStringValue(GoDuration.Format(value));

    /// <summary>A token other than a duration string; throws unless a subclass accepts it.</summary>
    protected virtual TimeSpan ReadOther(ref Utf8JsonReader reader) => throw new JsonException("Not a Go duration.");
}

/// <summary>A registration's <c>timeout</c>: a Go duration, or an integer of nanoseconds (what the Go project's code reads).</summary>
internal sealed class GoTimeoutJsonConverter : GoDurationJsonConverter
{
    protected override TimeSpan ReadOther(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var nanoseconds)
            ? TimeSpan.FromTicks(nanoseconds / 100)
            : base.ReadOther(ref reader);
}

/// <summary>An invocation's <c>timeout</c>: a number of seconds, or a Go duration.</summary>
internal sealed class SecondsOrDurationJsonConverter : GoDurationJsonConverter
{
    protected override TimeSpan ReadOther(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var seconds)

            // Out-of-range numbers become a zero timeout, which validation rejects as "more than 0".
            ? seconds > 0 && seconds <= TimeSpan.FromDays(1).TotalSeconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero
            : base.ReadOther(ref reader);
}
