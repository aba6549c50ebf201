using Microsoft.Extensions.Logging;
using SseVirtualization.Streams;

namespace SseVirtualization.Gateway.Connections;

[SiloBoundPlacement]
internal sealed partial class SiloConnectionsGrain(LocalConnections connections, SiloIdentity silo, ILogger<SiloConnectionsGrain> logger)
    : Grain, ISiloConnectionsGrain, ISiloCatchUpGrain
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

    public Task CatchUpAsync(string clientId, long newestId)
    {
        if (connections.CatchUp(clientId, newestId) is > 0 and var behind)
        {
            LogCaughtUp(logger, behind, clientId);
        }

        return Task.CompletedTask;
    }
}
