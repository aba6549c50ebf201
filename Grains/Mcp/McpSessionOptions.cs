namespace SseVirtualization.Grains.Mcp;

/// <summary>
/// MCP session settings. Not bound to configuration: the <c>Mcp</c> section has one owner, the front end's MCP options,
/// which validate the whole section at start; the host that runs both (the silo) copies these values from there, as
/// the grains know nothing of the front end. Unset, they are the section's own defaults.
/// </summary>
public sealed class McpSessionOptions
{

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

    /// <summary>
    /// How many live sessions one owner (an API key, a token subject, or anonymous callers on loopback together) may hold,
    /// 2026-07-28 clients' sessions included: each is stored until it ends or expires, so without a bound one caller
    /// could fill storage by starting sessions.
    /// </summary>
    public int MaxSessionsPerOwner { get; set; } = 100;
}
