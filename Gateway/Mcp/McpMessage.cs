using System.Text.Json;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>One JSON-RPC message from a client, as far as the transport needs to know it.</summary>
/// <param name="IdJson">The request id as raw JSON (string or number), null for a notification.</param>
/// <param name="Method">The method, null for a response to a server request.</param>
/// <param name="Params">The params element (undefined when absent).</param>
/// <param name="RawJson">The whole message as the client sent it (passed on to upstream servers).</param>
internal sealed record McpMessage(string? IdJson, string? Method, JsonElement Params, string RawJson)
{
    public bool IsRequest => IdJson is not null && Method is not null;

    /// <summary>The HTTP <c>Idempotency-Key</c> header the message came with (a key in <c>_meta.idempotencyKey</c> is read from the params).</summary>
    public string? IdempotencyHeader { get; init; }

    public bool IsNotification => IdJson is null && Method is not null;

    /// <summary>Reads a message, or says why it is not a valid JSON-RPC 2.0 message.</summary>
    public static (McpMessage? Message, string? Invalid) Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, root.ValueKind == JsonValueKind.Array
                ? "JSON-RPC batches are not supported (removed in protocol 2025-06-18); send one message per request."
                : "A JSON-RPC message must be a JSON object.");
        }

        if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
        {
            return (null, "'jsonrpc' must be \"2.0\".");
        }

        string? id = null;
        if (root.TryGetProperty("id", out var idElement))
        {
            if (idElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
            {
                return (null, "'id' must be a string or a number.");
            }

            id = idElement.GetRawText();
        }

        string? method = null;
        if (root.TryGetProperty("method", out var methodElement))
        {
            if (methodElement.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(methodElement.GetString()))
            {
                return (null, "'method' must be a non-empty string.");
            }

            method = methodElement.GetString();
        }
        else if (id is null || !(root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _)))
        {
            return (null, "A message needs a 'method' (request or notification) or a 'result'/'error' (response).");
        }

        var parameters = root.TryGetProperty("params", out var p) ? p.Clone() : default;
        if (parameters.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Object or JsonValueKind.Null))
        {
            return (null, "'params' must be an object.");
        }

        return (new McpMessage(id, method, parameters, root.GetRawText()), null);
    }

    public string? StringParam(string name) =>
        Params.ValueKind == JsonValueKind.Object && Params.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
