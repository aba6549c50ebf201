using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SseVirtualization.Grains.Functions;

/// <summary>
/// Turns a function's answer into the compact JSON carried in <c>data</c>: a JSON answer as itself (minified,
/// because an SSE <c>data:</c> line holds no newlines), anything else as a JSON string, nothing as null.
/// </summary>
internal static class FunctionResponseBody
{
    public static string? ToJson(byte[] body, MediaTypeHeaderValue? contentType)
    {
        if (body.Length == 0)
        {
            return null;
        }

        if (LooksLikeJson(contentType, body) && TryMinify(body, out var json))
        {
            return json;
        }

        return JsonSerializer.Serialize(Encoding.UTF8.GetString(body));
    }

    private static bool LooksLikeJson(MediaTypeHeaderValue? contentType, ReadOnlySpan<byte> body)
    {
        var mediaType = contentType?.MediaType;
        if (mediaType is not null)
        {
            return mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase);
        }

        var first = body.TrimStart(" \t\r\n"u8);
        return !first.IsEmpty && first[0] is (byte)'{' or (byte)'[';
    }

    private static bool TryMinify(byte[] body, out string json)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var buffer = new ArrayBufferWriter<byte>(body.Length);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                document.WriteTo(writer);
            }

            json = Encoding.UTF8.GetString(buffer.WrittenSpan);
            return true;
        }
        catch (JsonException)
        {
            json = string.Empty;
            return false;
        }
    }
}
