namespace SseVirtualization.Streams;

/// <summary>
/// Where results travel. Each silo subscribes once to its own stream (namespace <see cref="SiloNamespace"/>,
/// key: the silo's id), never one subscription per connection.
/// </summary>
public static class StreamNames
{
    /// <summary>The Orleans stream provider's name.</summary>
    public const string Provider = "sse";

    /// <summary>The stream namespace of per-silo delivery streams.</summary>
    public const string SiloNamespace = "sse-silo";
}
