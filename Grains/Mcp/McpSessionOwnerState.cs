namespace SseVirtualization.Grains.Mcp;

/// <summary>An owner's live MCP sessions as stored.</summary>
[GenerateSerializer, Alias("sse.McpSessionOwnerState")]
internal sealed class McpSessionOwnerState
{
    /// <summary>
    /// Each session's id and the earliest it can expire (when it was last known used, plus the idle timeout): before
    /// that it is surely live (or ended, and then released); after, its session grain is asked.
    /// </summary>
    [Id(0)]
    public Dictionary<string, DateTimeOffset> Sessions { get; set; } = new(StringComparer.Ordinal);
}
