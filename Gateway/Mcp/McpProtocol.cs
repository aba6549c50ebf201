using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>Protocol versions, header names and the JSON-RPC messages the MCP endpoints write.</summary>
internal static class McpProtocol
{
    public const string Latest = "2025-11-25";

    /// <summary>The version assumed when a request carries no MCP-Protocol-Version header (as the spec says).</summary>
    public const string Fallback = "2025-03-26";

    public const string LegacySse = "2024-11-05";

    public static readonly string[] Supported = [Latest, "2025-06-18", Fallback, LegacySse];

    public const string SessionHeader = "Mcp-Session-Id";
    public const string VersionHeader = "MCP-Protocol-Version";

    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    /// <summary>The answer to a request the client cancelled while it waited for JSON (the spec names no code; -32800 as LSP).</summary>
    public const int RequestCancelled = -32800;

    /// <summary>The code MCP servers use for transport-level refusals (no session, bad headers).</summary>
    public const int ServerError = -32000;

    public static bool IsSupported(string version) => Array.IndexOf(Supported, version) >= 0;

    /// <summary>The version to answer an initialize with: the client's when supported, else the latest.</summary>
    public static string Negotiate(string? requested) =>
        requested is not null && IsSupported(requested) ? requested : Latest;

    /// <summary>
    /// A response around a result that is already JSON (usually an upstream's, passed through): spliced in as it is
    /// rather than parsed into the SDK's <c>JsonRpcResponse</c> and written again.
    /// </summary>
    public static string Result(string? idJson, string resultJson) => Write(writer =>
    {
        WriteId(writer, idJson);
        writer.WritePropertyName("result");
        writer.WriteRawValue(resultJson, skipInputValidation: true);
    });

    /// <summary>The one way the layer answers with a JSON-RPC error of its own (with <paramref name="data"/> when the spec gives one).</summary>
    public static string Error(string? idJson, int code, string message, object? data = null) =>
        RawError(idJson, JsonSerializer.Serialize(
            new JsonRpcErrorDetail { Code = code, Message = message, Data = data is null ? null : JsonSerializer.SerializeToElement(data) },
            McpJsonUtilities.DefaultOptions));

    /// <summary>An error whose <c>error</c> object came whole from elsewhere (an upstream MCP server).</summary>
    public static string RawError(string? idJson, string errorJson) => Write(writer =>
    {
        WriteId(writer, idJson);
        writer.WritePropertyName("error");
        writer.WriteRawValue(errorJson, skipInputValidation: true);
    });

    public static string Notification(string method, string? paramsJson = null) => JsonSerializer.Serialize<JsonRpcMessage>(
        new JsonRpcNotification { Method = method, Params = paramsJson is null ? null : JsonNode.Parse(paramsJson) },
        McpJsonUtilities.DefaultOptions);

    /// <summary>Whether a stored message is a response (the last message of a POST's stream).</summary>
    public static bool IsResponse(string messageJson)
    {
        using var document = JsonDocument.Parse(messageJson);
        var root = document.RootElement;
        return root.TryGetProperty("id", out _) && (root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _));
    }

    /// <summary>A JSON-RPC 2.0 message: <c>jsonrpc</c>, then what <paramref name="body"/> writes.</summary>
    public static string Write(Action<Utf8JsonWriter> body) => Http.JsonText.Object(writer =>
    {
        writer.WriteString("jsonrpc", "2.0");
        body(writer);
    });

    private static void WriteId(Utf8JsonWriter writer, string? idJson)
    {
        writer.WritePropertyName("id");
        if (idJson is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(idJson, skipInputValidation: true);
        }
    }
}
