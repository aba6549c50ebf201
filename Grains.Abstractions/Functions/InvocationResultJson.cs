using System.Text;
using System.Text.Json;

namespace SseVirtualization.Functions;

/// <summary>
/// The one wire form of <see cref="InvocationResult"/>, shared by the sync HTTP answer and the SSE
/// <c>function_response</c> event so the two can never drift apart.
/// </summary>
public static class InvocationResultJson
{
    /// <summary>Writes <c>{"request_id","function","success","status_code","data","error","duration_ms"}</c>, plus <c>"total"</c> when the function streamed.</summary>
    public static void Write(Utf8JsonWriter writer, InvocationResult result)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        writer.WriteStartObject();
        writer.WriteString("request_id", result.RequestId);
        writer.WriteString("function", result.Function);
        writer.WriteBoolean("success", result.Success);
        writer.WriteNumber("status_code", result.StatusCode);
        writer.WritePropertyName("data");
        if (result.DataJson is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(result.DataJson, skipInputValidation: true);
        }

        if (result.Error is null)
        {
            writer.WriteNull("error");
        }
        else
        {
            writer.WriteString("error", result.Error);
        }

        writer.WriteNumber("duration_ms", Math.Round(result.DurationMs, 3));
        if (result.Total is { } total)
        {
            writer.WriteNumber("total", total);
        }

        writer.WriteEndObject();
    }

    /// <summary>The compact JSON text of <paramref name="result"/>.</summary>
    public static string ToJson(InvocationResult result)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, result);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
