namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// Reports the connections one silo holds (key: the silo's id). Always activated on that silo
/// (<see cref="SiloBoundPlacementAttribute"/>), so cluster-wide listings ask each silo once instead of
/// keeping a registry that every connect would have to write to.
/// </summary>
public interface ISiloConnectionsGrain : IGrainWithStringKey
{
    /// <summary>How many connections the silo holds.</summary>
    Task<int> GetCountAsync();

    /// <summary>Every connection the silo holds.</summary>
    Task<IReadOnlyList<ConnectionInfo>> ListAsync();
}
