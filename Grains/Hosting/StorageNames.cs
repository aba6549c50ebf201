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

    /// <summary>
    /// Orleans' stream pub-sub records. This release uses no Orleans streams (MCP messages are pushed, client events go
    /// on a broadcast channel); the store stays configured for silos of releases before 2026-12-05, whose MCP memory
    /// streams may place their pub-sub grains on a silo of this one during a rolling upgrade.
    /// </summary>
    public const string PubSub = "PubSubStore";
}
