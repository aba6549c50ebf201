namespace SseVirtualization.Grains.Hosting;

/// <summary>Names of the grain storage providers the silo must configure.</summary>
public static class StorageNames
{
    /// <summary>State of client and function grains (Redis when configured, memory otherwise).</summary>
    public const string Grains = "sse";

    /// <summary>
    /// MCP sessions: a store of its own so records of sessions nobody ends (most clients never send DELETE)
    /// expire in Redis after <c>Mcp:SessionIdleTimeout</c> without a write.
    /// </summary>
    public const string McpSessions = "mcp-sessions";

    /// <summary>Orleans' stream pub-sub records.</summary>
    public const string PubSub = "PubSubStore";
}
