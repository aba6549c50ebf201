using Orleans.Concurrency;

namespace SseVirtualization.Mcp;

/// <summary>
/// The layer as an MCP client of one remote MCP server (a registration of kind <c>mcp</c>) on behalf of one
/// downstream MCP session (key: <see cref="McpUpstreamKey.Format"/>). The upstream sees the downstream client's
/// own capabilities and client info; what it sends back (progress, logs, sampling, elicitation and roots
/// requests, cancellations, list changes, resource updates) reaches that session, on the stream of the request it
/// belongs to, or on the session's standalone stream. Connects on first use and keeps the upstream session id in
/// its state, so an activation on another silo resumes the same upstream session.
/// </summary>
public interface IMcpUpstreamGrain : IGrainWithStringKey
{
    /// <summary>
    /// Forwards one request and yields, in the order the upstream sent them, the notifications and server requests
    /// that belong to it (ids already rewritten for the downstream client), then its result or error.
    /// </summary>
    /// <param name="method">The JSON-RPC method (for <c>tools/call</c>, <c>params.name</c> is already the upstream's name).</param>
    /// <param name="paramsJson">The params object, as the client sent it.</param>
    /// <param name="downstreamIdJson">The downstream request's id, so its <c>notifications/cancelled</c> can follow it.</param>
    /// <param name="cancellationToken">Cancels the upstream request (the upstream gets <c>notifications/cancelled</c>).</param>
    [ResponseTimeout("00:16:00")]
    IAsyncEnumerable<McpUpstreamMessage> ForwardAsync(string method, string paramsJson, string downstreamIdJson, CancellationToken cancellationToken = default);

    /// <summary>
    /// Goes on with a forwarded request that stopped at a server request the client could only answer in a later request
    /// of its own (an MCP 2026-07-28 client: its answers come as <c>inputResponses</c>, keyed by the server requests' ids):
    /// passes the answers upstream and yields what the request sends next, as <see cref="ForwardAsync"/> does.
    /// </summary>
    [ResponseTimeout("00:16:00")]
    IAsyncEnumerable<McpUpstreamMessage> ResumeAsync(string inputResponsesJson, CancellationToken cancellationToken = default);

    /// <summary>The upstream's tools for this session, as it describes them (cached until it says they changed, at most the configured time).</summary>
    /// <param name="refresh">Ask the upstream again even when a list is cached (an unknown tool name was called).</param>
    Task<IReadOnlyList<McpUpstreamTool>> ListToolsAsync(bool refresh);

    /// <summary>
    /// Every page of <c>prompts/list</c>, <c>resources/list</c> or <c>resources/templates/list</c> merged under
    /// <paramref name="key"/>; empty when the upstream lacks the capability. Returns a result or an error object.
    /// </summary>
    Task<McpUpstreamMessage> ListAsync(string method, string key);

    /// <summary>The downstream client's answer to a server request this grain forwarded (id as it was sent downstream).</summary>
    Task AnswerAsync(string responseJson);

    /// <summary>A notification of the downstream client that concerns the upstream (<c>notifications/cancelled</c>, <c>notifications/roots/list_changed</c>).</summary>
    Task NotifyAsync(string notificationJson);

    /// <summary>Passes the downstream session's <c>logging/setLevel</c> on (and applies it to later upstream sessions).</summary>
    Task SetLogLevelAsync(string level);

    /// <summary>Ends the upstream session (the downstream session ended).</summary>
    Task EndAsync();
}

/// <summary>Keys of <see cref="IMcpUpstreamGrain"/> and the ids of the server requests they forward.</summary>
public static class McpUpstreamKey
{
    /// <summary>The grain key: the downstream session id and the registration (function names have no '/').</summary>
    public static string Format(string sessionId, string registration) => $"{sessionId}/{registration}";

    /// <summary>Splits a grain key into the session id and the registration.</summary>
    public static (string SessionId, string Registration) Parse(string key)
    {
        var slash = key.LastIndexOf('/');
        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>The id a forwarded server request carries downstream: the registration it came from, then an id unique to the grain's activation.</summary>
    public static string ServerRequestId(string registration, string unique) => $"{registration}/{unique}";

    /// <summary>The registration a downstream answer belongs to, from the id of the server request it answers.</summary>
    public static string? RegistrationOf(string? serverRequestId)
    {
        var slash = serverRequestId?.IndexOf('/') ?? -1;
        return slash > 0 ? serverRequestId![..slash] : null;
    }
}

/// <summary>One tool of a remote MCP server: its name and its whole JSON description.</summary>
[GenerateSerializer, Immutable, Alias("sse.McpUpstreamTool")]
public sealed record McpUpstreamTool([property: Id(0)] string Name, [property: Id(1)] string ToolJson);

/// <summary>What a forwarded request yields: a notification, a server request, the result, a JSON-RPC error, or the layer's failure to get an answer.</summary>
/// <param name="Kind">Which of the five.</param>
/// <param name="Json">A whole notification or request message, a result object, an error object <c>{code, message, data?}</c>, or for a failure its description as a JSON string.</param>
[GenerateSerializer, Immutable, Alias("sse.McpUpstreamMessage")]
public sealed record McpUpstreamMessage([property: Id(0)] McpUpstreamMessageKind Kind, [property: Id(1)] string Json);

/// <summary>The kinds of <see cref="McpUpstreamMessage"/>.</summary>
public enum McpUpstreamMessageKind
{
    Notification,
    Result,
    Error,

    /// <summary>A server-to-client request (sampling, elicitation, roots), its id already the downstream one.</summary>
    Request,

    /// <summary>The upstream could not be reached, failed or timed out: for a tool call, a result with <c>isError</c>.</summary>
    Failure,
}
