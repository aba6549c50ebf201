namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// The MCP settings (configuration section <c>Mcp</c>, whose one owner this is); docs/mcp.md describes each. The
/// session settings are here too, so one validator sees the whole section at start (the idempotency window is bounded
/// by the session lifetime); the host copies them to the session grains' options, since the gateway knows the
/// cluster only through the contract.
/// </summary>
public sealed class McpOptions
{
    public const string SectionName = "Mcp";

    /// <summary>
    /// Host names (with or without port) that requests to the MCP endpoints may carry in <c>Host</c>, and that an
    /// <c>Origin</c> may name. Loopback names (localhost, 127.0.0.1, [::1]) are always accepted; add the public
    /// names the cluster serves MCP under. Anything else is refused (DNS-rebinding protection).
    /// </summary>
    public List<string> AllowedHosts { get; } = [];

    /// <summary>The <c>retry:</c> (milliseconds) sent with each stream's priming event: how soon a client reconnects.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When set, a POST's SSE stream is closed after this long while its tool still runs; the client resumes with
    /// GET and Last-Event-ID (SEP-1699 polling), which frees the connection on long calls. Off by default.
    /// </summary>
    public TimeSpan? PollAfter { get; set; }

    /// <summary>How often an idle MCP stream gets an SSE comment, so proxies keep it open.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a <c>tools/call</c>'s idempotency key (<c>_meta.idempotencyKey</c> or the <c>Idempotency-Key</c> header)
    /// holds: a repeat from the same caller within it joins the call in flight or gets its stored answer. At most
    /// <c>Mcp:SessionIdleTimeout</c>, after which storage drops the record.
    /// </summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How many live sessions one owner (an API key, a token subject, or anonymous callers on loopback together) may hold,
    /// 2026-07-28 clients' sessions included: each is stored until it ends or expires, so without a bound one caller
    /// could fill storage by starting sessions. The session grains enforce it; the front end names it in the refusal.
    /// </summary>
    public int MaxSessionsPerOwner { get; set; } = 100;

    /// <summary>How many recent server-to-client messages a session keeps for streams resumed with Last-Event-ID.</summary>
    public int MaxStoredMessages { get; set; } = 200;

    /// <summary>
    /// How many characters of messages a session keeps at most (the newest message is always kept): a session
    /// that passes large tool results is not rewritten whole with megabytes on every message.
    /// </summary>
    public long MaxStoredChars { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a server request of a remote MCP server (sampling, elicitation, roots) may wait for the client's answer.
    /// The registration's timeout stops meanwhile, since a person may be answering; after this the request is given up.
    /// </summary>
    public TimeSpan ClientAnswerTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A session unused for this long has expired: its id then gets 404 and the client starts a new one.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The name this server gives in <c>serverInfo</c>.</summary>
    public string ServerName { get; set; } = "sse-virtualization-layer";
}
