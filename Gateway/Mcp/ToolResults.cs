using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using SseVirtualization.Functions;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// A function's answer as an MCP <c>CallToolResult</c>: its body as text (and as <c>structuredContent</c> when it
/// is a JSON object), or <c>isError: true</c> with what went wrong, so the model sees the failure.
/// </summary>
internal static class ToolResults
{
    public static string FromInvocation(InvocationResult result)
    {
        if (!result.Success)
        {
            var detail = result.Error ?? $"the function answered {result.StatusCode}";
            return Failure(result.DataJson is { Length: > 0 } body ? $"{detail}: {body}" : detail);
        }

        var data = result.DataJson ?? "null";
        return Http.JsonText.Object(writer =>
        {
            writer.WriteStartArray("content");
            writer.WriteStartObject();
            writer.WriteString("type", "text");
            writer.WriteString("text", data);
            writer.WriteEndObject();
            writer.WriteEndArray();
            if (data.TrimStart().StartsWith('{'))
            {
                writer.WritePropertyName("structuredContent");
                writer.WriteRawValue(data, skipInputValidation: true);
            }

            writer.WriteBoolean("isError", false);
        });
    }

    /// <summary>The one way the layer reports a failed tool call: a result with <c>isError</c>, so the model sees what went wrong.</summary>
    public static string Failure(string message) => JsonSerializer.Serialize(
        new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = message }] },
        McpJsonUtilities.DefaultOptions);
}
