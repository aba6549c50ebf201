namespace SseVirtualization.Gateway.Mcp;

/// <summary>Asks a session to push its messages to this silo, or to stop (<see cref="SseVirtualization.Mcp.IMcpSessionGrain.WatchAsync"/>).</summary>
internal interface IMcpWatches
{
    Task WatchAsync(string sessionId);

    Task UnwatchAsync(string sessionId);
}
