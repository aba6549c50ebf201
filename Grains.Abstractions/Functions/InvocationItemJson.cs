using System.Text;
using System.Text.Json;

namespace SseVirtualization.Functions;

/// <summary>The data of a <c>function_result</c> event: <c>{"request_id","function","index","data"}</c>.</summary>
public static class InvocationItemJson
{
    /// <summary>The compact JSON of item number <paramref name="index"/> (from 0) of an invocation's streaming answer.</summary>
    public static string ToJson(string requestId, string function, int index, string itemJson)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(itemJson.Length + 128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("request_id", requestId);
            writer.WriteString("function", function);
            writer.WriteNumber("index", index);
            writer.WritePropertyName("data");
            writer.WriteRawValue(itemJson, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
