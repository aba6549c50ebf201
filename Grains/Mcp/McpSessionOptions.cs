namespace SseVirtualization.Grains.Mcp;

/// <summary>MCP session settings (configuration section <c>Mcp</c>; the front end reads the same section).</summary>
public sealed class McpSessionOptions
{
    public const string SectionName = "Mcp";

    /// <summary>How many recent server-to-client messages a session keeps for streams resumed with Last-Event-ID.</summary>
    public int MaxStoredMessages { get; set; } = 200;

    /// <summary>A session unused for this long has expired: its id then gets 404 and the client starts a new one.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(24);
}
