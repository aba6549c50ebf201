using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Mcp;

/// <summary>An MCP session as stored.</summary>
[GenerateSerializer, Alias("sse.McpSessionState")]
internal sealed class McpSessionState
{
    [Id(0)]
    public McpSessionInfo? Info { get; set; }

    /// <summary>Recent server-to-client messages, oldest first (bounded by <see cref="McpSessionOptions.MaxStoredMessages"/>).</summary>
    [Id(1)]
    public List<McpStreamEvent> Events { get; set; } = [];

    [Id(2)]
    public long NextSequence { get; set; } = 1;

    [Id(3)]
    public int NextStream { get; set; } = 1;

    /// <summary>When the session was last used, as of the last write; an idle session expires.</summary>
    [Id(4)]
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>The MCP server registrations the session has upstream sessions with.</summary>
    [Id(5)]
    public List<string> Upstreams { get; set; } = [];

    /// <summary>The silos holding a stream of the session, which its messages are pushed to (their ids).</summary>
    [Id(6)]
    public List<string> Watchers { get; set; } = [];
}
