using Orleans.Concurrency;

namespace SseVirtualization.Mcp;

/// <summary>
/// The layer as an MCP client of one remote MCP server (key: the registration's name, a function of kind
/// <c>mcp</c>). It initializes lazily, keeps the upstream session id in its state, re-initializes when the
/// upstream session has expired, and caches the upstream tool list for a while (refreshed early on the upstream's
/// <c>notifications/tools/list_changed</c>).
/// </summary>
public interface IMcpServerGrain : IGrainWithStringKey
{
    /// <summary>The upstream's tools, as it describes them (names not yet namespaced).</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<McpUpstreamTool>> ListToolsAsync();

    /// <summary>
    /// Calls an upstream tool and yields what comes back: progress notifications (already addressed to
    /// <paramref name="progressTokenJson"/>), then one result or one error.
    /// </summary>
    [AlwaysInterleave]
    [ResponseTimeout("00:16:00")]
    IAsyncEnumerable<McpUpstreamMessage> CallToolAsync(string tool, string argumentsJson, string? progressTokenJson, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forwards one prompts or resources request (<c>prompts/list</c>, <c>prompts/get</c>, <c>resources/list</c>,
    /// <c>resources/templates/list</c>, <c>resources/read</c>). List methods come back with every page merged; a
    /// server without the capability answers an empty list.
    /// </summary>
    [AlwaysInterleave]
    Task<McpUpstreamMessage> RequestAsync(string method, string paramsJson);

    /// <summary>Forgets the upstream session and cached tools (the registration changed or was removed).</summary>
    Task ResetAsync();
}

/// <summary>One tool of a remote MCP server: its name and its whole JSON description.</summary>
[GenerateSerializer, Immutable, Alias("sse.McpUpstreamTool")]
public sealed record McpUpstreamTool([property: Id(0)] string Name, [property: Id(1)] string ToolJson);

/// <summary>What a forwarded <c>tools/call</c> yields: a notification, the result, or a JSON-RPC error.</summary>
/// <param name="Kind">Which of the three.</param>
/// <param name="Json">A whole notification message, a <c>CallToolResult</c>, or an error object <c>{code, message}</c>.</param>
[GenerateSerializer, Immutable, Alias("sse.McpUpstreamMessage")]
public sealed record McpUpstreamMessage([property: Id(0)] McpUpstreamMessageKind Kind, [property: Id(1)] string Json);

/// <summary>The kinds of <see cref="McpUpstreamMessage"/>.</summary>
public enum McpUpstreamMessageKind
{
    Notification,
    Result,
    Error,
}
