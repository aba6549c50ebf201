using System.Buffers;
using System.Text;
using System.Text.Json;

namespace SseVirtualization.Gateway.Http;

/// <summary>Compact JSON written with <see cref="Utf8JsonWriter"/> into a string (event data, JSON-RPC messages).</summary>
internal static class JsonText
{
    /// <summary>One JSON object whose properties <paramref name="writeProperties"/> writes.</summary>
    public static string Object(Action<Utf8JsonWriter> writeProperties) => Value(writer =>
    {
        writer.WriteStartObject();
        writeProperties(writer);
        writer.WriteEndObject();
    });

    /// <summary>Whatever single JSON value <paramref name="writeValue"/> writes.</summary>
    public static string Value(Action<Utf8JsonWriter> writeValue)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writeValue(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
