using System.Text.Json;
using SseVirtualization.Functions;

namespace SseVirtualization.Gateway.Functions;

/// <summary>The wire form of a stored function. Header values are never returned, only their names.</summary>
internal static class FunctionJson
{
    public const string Redacted = "[redacted]";

    public static void Write(Utf8JsonWriter writer, RegisteredFunction function)
    {
        var definition = function.Definition;
        writer.WriteStartObject();
        writer.WriteString("name", definition.Name);
        writer.WriteString("endpoint", definition.Endpoint.OriginalString);
        writer.WriteString("method", definition.Method);
        writer.WriteString("timeout", GoDuration.Format(definition.Timeout));
        writer.WriteNumber("timeout_ms", (long)definition.Timeout.TotalMilliseconds);
        writer.WriteString("description", definition.Description);
        writer.WriteStartObject("headers");
        foreach (var name in definition.Headers.Keys)
        {
            writer.WriteString(name, Redacted);
        }

        writer.WriteEndObject();
        writer.WriteString("created_at", function.CreatedAt);
        writer.WriteString("updated_at", function.UpdatedAt);
        writer.WriteBoolean("is_active", function.IsActive);
        writer.WriteEndObject();
    }
}
