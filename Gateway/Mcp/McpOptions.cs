namespace SseVirtualization.Gateway.Mcp;

/// <summary>The MCP endpoint's settings (configuration section <c>Mcp</c>); docs/mcp.md describes each.</summary>
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
    /// How many live MCP sessions one owner may hold (the silo's session grains enforce it, reading the same setting);
    /// here for the refusal's message.
    /// </summary>
    public int MaxSessionsPerOwner { get; set; } = 100;

    /// <summary>The name this server gives in <c>serverInfo</c>.</summary>
    public string ServerName { get; set; } = "sse-virtualization-layer";
}
