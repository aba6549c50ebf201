using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// A routing part that is <c>false</c> (off), an object of settings, and for some also <c>true</c> (on with the
/// defaults). A part of the object with a value of the wrong type is named in full (<c>retry.base_delay</c>).
/// </summary>
internal abstract class ToggleJsonConverter<T> : JsonConverter<T>
    where T : class
{
    protected abstract string Field { get; }

    protected abstract T? WhenFalse { get; }

    /// <summary>What <c>true</c> reads as; null when <c>true</c> is not accepted.</summary>
    protected virtual T? WhenTrue => null;

    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.False:
                return WhenFalse;
            case JsonTokenType.True when WhenTrue is { } on:
                return on;
            case JsonTokenType.StartObject:
                try
                {
                    return JsonSerializer.Deserialize(ref reader, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
                }
                catch (JsonException inner)
                {
                    throw new WireFieldJsonException(Field + "." + BodyValidation.FieldOf(inner.Path), inner);
                }

            default:
                throw new JsonException($"'{Field}' is neither an object nor an accepted boolean.");
        }
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
}

internal sealed class HealthCheckToggleConverter : ToggleJsonConverter<HealthCheckBody>
{
    protected override string Field => "health_check";

    protected override HealthCheckBody? WhenFalse => null;

    protected override HealthCheckBody WhenTrue => new();
}

internal sealed class RetryToggleConverter : ToggleJsonConverter<RetryBody>
{
    protected override string Field => "retry";

    protected override RetryBody WhenFalse => new() { Off = true };
}

internal sealed class CircuitBreakerToggleConverter : ToggleJsonConverter<CircuitBreakerBody>
{
    protected override string Field => "circuit_breaker";

    protected override CircuitBreakerBody WhenFalse => new() { Off = true };
}

/// <summary>A value of the wrong type deep in a body, with the wire name of its field (the serializer's path stops at the converter).</summary>
internal sealed class WireFieldJsonException(string field, Exception inner) : JsonException(null, inner)
{
    public string Field { get; } = field;
}
