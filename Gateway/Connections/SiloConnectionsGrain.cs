namespace SseVirtualization.Gateway.Connections;

[SiloBoundPlacement]
internal sealed class SiloConnectionsGrain(LocalConnections connections, SiloIdentity silo) : Grain, ISiloConnectionsGrain
{
    public Task<int> GetCountAsync() => Task.FromResult(connections.Count);

    public Task<IReadOnlyList<ConnectionInfo>> ListAsync()
    {
        var list = new List<ConnectionInfo>(connections.Count);
        foreach (var c in connections.All)
        {
            list.Add(new ConnectionInfo(c.Id, c.ClientId, c.UserId, silo.Id, c.Metadata, c.CreatedAt, c.LastPing));
        }

        return Task.FromResult<IReadOnlyList<ConnectionInfo>>(list);
    }
}
