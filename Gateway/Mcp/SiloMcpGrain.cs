using SseVirtualization.Gateway.Connections;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Where sessions push their messages for this silo's MCP streams, and where catalog changes arrive (<see cref="ISiloMcpGrain"/>;
/// bound to the silo its key names).
/// </summary>
[SiloBoundPlacement]
internal sealed class SiloMcpGrain(McpLocalStreams streams, McpCatalogListener catalog) : Grain, ISiloMcpGrain
{
    public Task DeliverAsync(McpStreamEvent message)
    {
        ArgumentNullException.ThrowIfNull(message);
        streams.Deliver(message);
        return Task.CompletedTask;
    }

    // Interleaving (see the interface): deliveries go on while the sessions are told one by one.
    public Task ToolsChangedAsync(string source) => catalog.OnChangedAsync(source);
}
