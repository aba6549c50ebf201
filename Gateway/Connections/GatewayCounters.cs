namespace SseVirtualization.Gateway.Connections;

/// <summary>This silo's running totals, reported by <c>/admin/health</c>.</summary>
internal sealed class GatewayCounters
{
    private long _connectionsOpened;
    private long _connectionsClosed;
    private long _eventsQueued;
    private long _eventsDropped;
    private long _heartbeatsSent;
    private long _invocations;

    public long ConnectionsOpened => Interlocked.Read(ref _connectionsOpened);

    public long ConnectionsClosed => Interlocked.Read(ref _connectionsClosed);

    public long EventsQueued => Interlocked.Read(ref _eventsQueued);

    public long EventsDropped => Interlocked.Read(ref _eventsDropped);

    public long HeartbeatsSent => Interlocked.Read(ref _heartbeatsSent);

    public long Invocations => Interlocked.Read(ref _invocations);

    public void ConnectionOpened() => Interlocked.Increment(ref _connectionsOpened);

    public void ConnectionClosed() => Interlocked.Increment(ref _connectionsClosed);

    public void EventQueued() => Interlocked.Increment(ref _eventsQueued);

    public void EventDropped() => Interlocked.Increment(ref _eventsDropped);

    public void HeartbeatsQueued(int count) => Interlocked.Add(ref _heartbeatsSent, count);

    public void InvocationReceived() => Interlocked.Increment(ref _invocations);
}
