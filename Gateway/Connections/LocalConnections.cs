using System.Collections.Concurrent;
using SseVirtualization.Clients;

namespace SseVirtualization.Gateway.Connections;

/// <summary>The SSE connections this silo holds, by connection id and by client id.</summary>
internal sealed class LocalConnections(GatewayCounters counters)
{
    private readonly ConcurrentDictionary<string, SseConnection> _byId = new(StringComparer.Ordinal);

    // Copy-on-write arrays: delivery reads them without locks; connects and disconnects are rarer than events.
    private readonly ConcurrentDictionary<string, SseConnection[]> _byClient = new(StringComparer.Ordinal);

    public int Count => _byId.Count;

    public ICollection<SseConnection> All => _byId.Values;

    public void Add(SseConnection connection)
    {
        _byId[connection.Id] = connection;
        _byClient.AddOrUpdate(connection.ClientId, static (_, c) => [c], static (_, existing, c) => [.. existing, c], connection);
        counters.ConnectionOpened();
    }

    public void Remove(SseConnection connection)
    {
        if (!_byId.TryRemove(connection.Id, out _))
        {
            return;
        }

        counters.ConnectionClosed();
        while (_byClient.TryGetValue(connection.ClientId, out var existing))
        {
            var remaining = Array.FindAll(existing, c => !ReferenceEquals(c, connection));
            var done = remaining.Length == 0
                ? _byClient.TryRemove(new KeyValuePair<string, SseConnection[]>(connection.ClientId, existing))
                : _byClient.TryUpdate(connection.ClientId, remaining, existing);
            if (done)
            {
                return;
            }
        }
    }

    /// <summary>Client ids with local connections, and those connections.</summary>
    public IEnumerable<KeyValuePair<string, SseConnection[]>> ByClient => _byClient;

    /// <summary>Ends every local stream with <paramref name="farewell"/> (at shutdown).</summary>
    public void CloseAll(OutgoingEvent farewell)
    {
        foreach (var connection in _byId.Values)
        {
            connection.Close(farewell);
        }
    }

    /// <summary>Queues <paramref name="clientEvent"/> on every local connection of <paramref name="clientId"/>.</summary>
    public void Deliver(string clientId, ClientEvent clientEvent)
    {
        if (!_byClient.TryGetValue(clientId, out var targets))
        {
            return;
        }

        var outgoing = new OutgoingEvent(clientEvent.Id, clientEvent.Type, clientEvent.DataJson);
        foreach (var connection in targets)
        {
            if (connection.TryEnqueue(outgoing))
            {
                counters.EventQueued();
            }
            else
            {
                counters.EventDropped();
            }
        }
    }
}
