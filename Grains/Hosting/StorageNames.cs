namespace SseVirtualization.Grains.Hosting;

/// <summary>Names of the grain storage providers the silo must configure.</summary>
public static class StorageNames
{
    /// <summary>State of client and function grains (Redis when configured, memory otherwise).</summary>
    public const string Grains = "sse";

    /// <summary>Orleans' stream pub-sub records.</summary>
    public const string PubSub = "PubSubStore";
}
