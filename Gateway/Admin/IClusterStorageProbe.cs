namespace SseVirtualization.Gateway.Admin;

/// <summary>Tells <c>/admin/health</c> what the cluster stores its state in and whether it answers. The silo provides it.</summary>
public interface IClusterStorageProbe
{
    /// <summary><c>"redis"</c> or <c>"memory"</c>.</summary>
    string Kind { get; }

    /// <summary>Whether the store answered a ping just now (always <c>false</c> for in-memory storage: no Redis).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}
