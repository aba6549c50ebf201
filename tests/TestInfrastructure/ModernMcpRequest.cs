using System.Net.Http.Json;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// A raw MCP 2026-07-28 request, as a client that stands alone sends it: the per-request envelope in
/// <c>params._meta</c> and the headers that mirror it (<c>MCP-Protocol-Version</c>, <c>Mcp-Method</c>, <c>Mcp-Name</c>).
/// For what the SDKs do not send themselves (tasks, idempotency keys, unsupported versions, listen filters).
/// </summary>
public static class ModernMcpRequest
{
    public const string Version = "2026-07-28";

    /// <summary>Client capabilities that take tasks (the <c>io.modelcontextprotocol/tasks</c> extension).</summary>
    public static readonly object TasksCapabilities = new Dictionary<string, object>
    {
        ["extensions"] = new Dictionary<string, object> { ["io.modelcontextprotocol/tasks"] = new { } },
    };

    /// <param name="method">The JSON-RPC method (also <c>Mcp-Method</c>).</param>
    /// <param name="parameters">Its params; a <c>_meta</c> entry (a dictionary) keeps its keys beside the envelope's.</param>
    /// <param name="capabilities">The client capabilities the request declares (none by default).</param>
    /// <param name="version">The protocol version, in the envelope and the header.</param>
    /// <param name="id">The JSON-RPC id.</param>
    public static HttpRequestMessage Create(string method, Dictionary<string, object> parameters, object? capabilities = null, string version = Version, object? id = null)
    {
        var meta = parameters.TryGetValue("_meta", out var given) ? new Dictionary<string, object>((Dictionary<string, object>)given) : [];
        meta["io.modelcontextprotocol/protocolVersion"] = version;
        meta["io.modelcontextprotocol/clientCapabilities"] = capabilities ?? new { };
        var withMeta = new Dictionary<string, object>(parameters) { ["_meta"] = meta };
        var request = new HttpRequestMessage(HttpMethod.Post, "mcp")
        {
            Content = JsonContent.Create(new { jsonrpc = "2.0", id = id ?? 1, method, @params = withMeta }),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", version);
        request.Headers.Add("Mcp-Method", method);
        var named = method switch
        {
            "tools/call" or "prompts/get" => parameters.GetValueOrDefault("name"),
            "resources/read" => parameters.GetValueOrDefault("uri"),
            "tasks/get" or "tasks/update" or "tasks/cancel" => parameters.GetValueOrDefault("taskId"),
            _ => null,
        };
        if (named is string name)
        {
            request.Headers.Add("Mcp-Name", name);
        }

        return request;
    }
}
