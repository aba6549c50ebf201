using System.Collections.Concurrent;
using SseVirtualization.Clients;

namespace SseVirtualization.Gateway.Connections;

/// <summary>The SSE connections this silo holds, by connection id and by client id.</summary>
internal sealed class LocalConnections
{
    private readonly GatewayCounters _counters;

    public LocalConnections(GatewayCounters counters)
    {
        _counters = counters;
        Remover = Remove;
        counters.Meter.CreateObservableGauge("sse.queue.depth", QueuedEvents, "{event}", "Events waiting in connection queues on this silo.");
    }

    private readonly ConcurrentDictionary<string, SseConnection> _byId = new(StringComparer.Ordinal);

    // Copy-on-write arrays: delivery reads them without locks; connects and disconnects are rarer than events.
    private readonly ConcurrentDictionary<string, SseConnection[]> _byClient = new(StringComparer.Ordinal);

    public int Count => _byId.Count;

    /// <summary>
    /// Every local connection, enumerated without locks or a copy (<c>Values</c> takes every lock and copies them
    /// all; heartbeat rounds and connection listings walk them).
    /// </summary>
    public IEnumerable<SseConnection> All
    {
        get
        {
            foreach (var (_, connection) in _byId)
            {
                yield return connection;
            }
        }
    }

    // Open streams per caller (SseConnection.Caller), for Gateway:MaxConnectionsPerCaller.
    private readonly ConcurrentDictionary<string, int> _byCaller = new(StringComparer.Ordinal);

    public void Add(SseConnection connection) => TryAdd(connection, int.MaxValue);

    /// <summary>Why <see cref="TryAdd(SseConnection, int, int)"/> refused a connection.</summary>
    public enum Refusal
    {
        None,
        TooManyForClient,
        TooManyForCaller,
    }

    /// <summary>
    /// Adds the connection unless its client already has <paramref name="maxPerClient"/> streams on this silo, or its
    /// caller <paramref name="maxPerCaller"/> (0: no caller limit).
    /// </summary>
    public Refusal TryAdd(SseConnection connection, int maxPerClient, int maxPerCaller)
    {
        if (maxPerCaller > 0 && !TryCountCaller(connection.Caller, maxPerCaller))
        {
            return Refusal.TooManyForCaller;
        }

        if (!TryAdd(connection, maxPerClient))
        {
            if (maxPerCaller > 0)
            {
                UncountCaller(connection.Caller);
            }

            return Refusal.TooManyForClient;
        }

        return Refusal.None;
    }

    private bool TryCountCaller(string caller, int max)
    {
        while (true)
        {
            if (_byCaller.TryGetValue(caller, out var count))
            {
                if (count >= max)
                {
                    return false;
                }

                if (_byCaller.TryUpdate(caller, count + 1, count))
                {
                    return true;
                }
            }
            else if (_byCaller.TryAdd(caller, 1))
            {
                return true;
            }
        }
    }

    private void UncountCaller(string caller)
    {
        while (_byCaller.TryGetValue(caller, out var count))
        {
            var done = count <= 1
                ? _byCaller.TryRemove(new KeyValuePair<string, int>(caller, count))
                : _byCaller.TryUpdate(caller, count - 1, count);
            if (done)
            {
                return;
            }
        }
    }

    /// <summary>Adds the connection unless its client already has <paramref name="maxPerClient"/> on this silo.</summary>
    public bool TryAdd(SseConnection connection, int maxPerClient)
    {
        while (true)
        {
            if (!_byClient.TryGetValue(connection.ClientId, out var existing))
            {
                if (_byClient.TryAdd(connection.ClientId, [connection]))
                {
                    break;
                }

                continue;
            }

            if (existing.Length >= maxPerClient)
            {
                return false;
            }

            if (_byClient.TryUpdate(connection.ClientId, [.. existing, connection], existing))
            {
                break;
            }
        }

        _byId[connection.Id] = connection;
        _counters.ConnectionOpened();
        return true;
    }

    /// <summary><see cref="Remove"/> as one delegate for all connections (not one per connection).</summary>
    public Action<SseConnection> Remover { get; }

    public void Remove(SseConnection connection)
    {
        if (!_byId.TryRemove(connection.Id, out _))
        {
            return;
        }

        _counters.ConnectionClosed();
        UncountCaller(connection.Caller);
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

    private long QueuedEvents()
    {
        long total = 0;
        foreach (var connection in All)
        {
            total += connection.QueueLength;
        }

        return total;
    }

    /// <summary>Client ids with local connections, and those connections.</summary>
    public IEnumerable<KeyValuePair<string, SseConnection[]>> ByClient => _byClient;

    /// <summary>Ends every local stream with <paramref name="farewell"/> (at shutdown).</summary>
    public void CloseAll(OutgoingEvent farewell)
    {
        foreach (var connection in All)
        {
            connection.Close(farewell);
        }
    }

    /// <summary>
    /// Has each local connection of <paramref name="clientId"/> that has written no event as new as
    /// <paramref name="newestId"/> fetch the rest from the client's log; returns how many of those that had written
    /// events were behind.
    /// </summary>
    /// <remarks>
    /// A connection still writing its backlog is asked too, though not counted (its backlog may bring everything): the
    /// request waits in its queue behind the backlog and fetches only what neither the backlog nor the live events queued
    /// before it brought. Skipped, a live event lost while the backlog was written waited for the client's next event or
    /// audit (after a silo's death, when reconnecting streams write their backlogs as the first audit round comes).
    /// </remarks>
    public int CatchUp(string clientId, long newestId)
    {
        if (newestId <= 0 || !_byClient.TryGetValue(clientId, out var targets))
        {
            return 0; // no events stored, or no connection here
        }

        var behind = 0;
        foreach (var connection in targets)
        {
            var written = connection.LastWrittenId;
            if (written < newestId)
            {
                connection.RequestCatchUp(newestId);
                behind += written >= 0 ? 1 : 0;
            }
        }

        return behind;
    }

    /// <summary>Queues <paramref name="clientEvent"/> on every local connection of <paramref name="clientId"/>.</summary>
    public void Deliver(string clientId, ClientEvent clientEvent, string? traceParent = null)
    {
        if (!_byClient.TryGetValue(clientId, out var targets))
        {
            return;
        }

        var outgoing = new OutgoingEvent(clientEvent.Id, clientEvent.Type, clientEvent.DataJson, TraceParent: traceParent);
        foreach (var connection in targets)
        {
            if (connection.TryEnqueue(outgoing))
            {
                _counters.EventQueued();
            }
            else
            {
                _counters.EventDropped();
            }
        }
    }
}
