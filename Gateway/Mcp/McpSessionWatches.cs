using SseVirtualization.Gateway.Connections;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>Watches through the session grains, in this silo's name.</summary>
internal sealed class McpSessionWatches(IGrainFactory grains, SiloIdentity silo) : IMcpWatches
{
    public Task WatchAsync(string sessionId) => grains.ReferenceTo<IMcpSessionGrain>(sessionId).WatchAsync(silo.Id);

    public Task UnwatchAsync(string sessionId) => grains.ReferenceTo<IMcpSessionGrain>(sessionId).UnwatchAsync(silo.Id);
}
