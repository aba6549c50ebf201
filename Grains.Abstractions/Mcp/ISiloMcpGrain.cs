using Orleans.Concurrency;

namespace SseVirtualization.Mcp;

/// <summary>
/// The MCP streams one silo holds, as session grains and catalog changes reach them (key: the silo's id; always
/// activated on that silo). Messages are pushed here as they are stored: no queue, nothing polled.
/// </summary>
public interface ISiloMcpGrain : IGrainWithStringKey
{
    /// <summary>
    /// A message the session stored: hands it to this silo's live streams of the session. Fire and forget: a message
    /// lost on its way is in the session's log, which a stream that resumes replays.
    /// </summary>
    [OneWay, AlwaysInterleave]
    Task DeliverAsync(McpStreamEvent message);

    /// <summary>The tools of <paramref name="source"/> (a function or an MCP server registration) changed: tells this silo's sessions.</summary>
    [OneWay, AlwaysInterleave]
    Task ToolsChangedAsync(string source);
}
