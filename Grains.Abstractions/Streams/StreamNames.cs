namespace SseVirtualization.Streams;

/// <summary>
/// Where events travel. Client events go to the silos holding the client's connections over the broadcast channel
/// <see cref="DeliveryChannel"/> (namespace <see cref="SiloNamespace"/>, key: the silo's id), whose one subscriber
/// per silo is a grain bound to that silo: never one subscription per connection. MCP messages are pushed by their
/// session's grain to the silos watching it (<see cref="Mcp.ISiloMcpGrain"/>).
/// </summary>
public static class StreamNames
{
    /// <summary>
    /// The Orleans broadcast channel provider that pushes client events to silos. A push: each event is one
    /// message to the silo's subscriber, with no queue for a pulling agent to poll.
    /// </summary>
    public const string DeliveryChannel = "sse-delivery";

    /// <summary>The channel namespace of per-silo deliveries.</summary>
    public const string SiloNamespace = "sse-silo";
}
