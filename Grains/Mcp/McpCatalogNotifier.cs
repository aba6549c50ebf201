using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using SseVirtualization.Mcp;
using SseVirtualization.Streams;

namespace SseVirtualization.Grains.Mcp;

/// <summary>
/// Says on the catalog stream that a source of MCP tools changed, so every silo tells its open MCP sessions
/// (<c>notifications/tools/list_changed</c>). A registration's changes go through it; an upstream server's own
/// <c>list_changed</c> reaches the sessions that use it directly (McpUpstreamGrain).
/// </summary>
public sealed partial class McpCatalogNotifier(IClusterClient cluster, ILogger<McpCatalogNotifier> logger)
{
    public async Task PublishAsync(string source)
    {
        try
        {
            await cluster.GetStreamProvider(StreamNames.Provider)
                .GetStream<McpCatalogChanged>(StreamId.Create(McpStreamNames.CatalogNamespace, McpStreamNames.CatalogKey))
                .OnNextAsync(new McpCatalogChanged(source));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A missed notice only delays clients seeing the change until they list tools again.
            LogPublishFailed(logger, ex, source);
        }
    }
}
