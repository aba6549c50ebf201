using System.Diagnostics.Metrics;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// This silo's front-end counters: exported as OpenTelemetry metrics (meter <c>SseVirtualization.Gateway</c>)
/// and read back as running totals by <c>/admin/health</c>.
/// </summary>
internal sealed class GatewayCounters
{
    public const string MeterName = "SseVirtualization.Gateway";

    private readonly Counter<long> _opened;
    private readonly Counter<long> _closed;
    private readonly Counter<long> _queued;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _replayed;
    private readonly Counter<long> _heartbeats;
    private readonly Counter<long> _invocations;
    private long _connectionsOpened;
    private long _connectionsClosed;
    private long _eventsQueued;
    private long _eventsDropped;
    private long _eventsReplayed;
    private long _heartbeatsSent;
    private long _invocationsReceived;

    public GatewayCounters(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _opened = Meter.CreateCounter<long>("sse.connections.opened", "{connection}", "SSE connections opened on this silo.");
        _closed = Meter.CreateCounter<long>("sse.connections.closed", "{connection}", "SSE connections closed on this silo.");
        Meter.CreateObservableUpDownCounter("sse.connections.active", () => ConnectionsOpened - ConnectionsClosed, "{connection}", "SSE connections this silo holds now.");
        _queued = Meter.CreateCounter<long>("sse.events.queued", "{event}", "Live events queued on connections.");
        _dropped = Meter.CreateCounter<long>("sse.events.dropped", "{event}", "Events not queued because a connection's queue was full, by events or bytes, or the silo's queues held all the bytes they may (the connection is dropped and resumes from the log).");
        _replayed = Meter.CreateCounter<long>("sse.events.replayed", "{event}", "Events written from the client log: backlog on connect, and holes filled.");
        _heartbeats = Meter.CreateCounter<long>("sse.heartbeats.sent", "{event}", "Heartbeat events queued.");
        _invocations = Meter.CreateCounter<long>("sse.invocations.received", "{invocation}", "POST /invoke requests accepted for processing by this silo.");
    }

    /// <summary>The front end's meter, for instruments that observe other parts (queue depth).</summary>
    public Meter Meter { get; }

    public long ConnectionsOpened => Interlocked.Read(ref _connectionsOpened);

    public long ConnectionsClosed => Interlocked.Read(ref _connectionsClosed);

    public long EventsQueued => Interlocked.Read(ref _eventsQueued);

    public long EventsDropped => Interlocked.Read(ref _eventsDropped);

    public long EventsReplayed => Interlocked.Read(ref _eventsReplayed);

    public long HeartbeatsSent => Interlocked.Read(ref _heartbeatsSent);

    public long Invocations => Interlocked.Read(ref _invocationsReceived);

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _connectionsOpened);
        _opened.Add(1);
    }

    public void ConnectionClosed()
    {
        Interlocked.Increment(ref _connectionsClosed);
        _closed.Add(1);
    }

    public void EventQueued()
    {
        Interlocked.Increment(ref _eventsQueued);
        _queued.Add(1);
    }

    public void EventDropped()
    {
        Interlocked.Increment(ref _eventsDropped);
        _dropped.Add(1);
    }

    public void EventsReplayedFromLog(int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _eventsReplayed, count);
            _replayed.Add(count);
        }
    }

    public void HeartbeatsQueued(int count)
    {
        Interlocked.Add(ref _heartbeatsSent, count);
        _heartbeats.Add(count);
    }

    public void InvocationReceived()
    {
        Interlocked.Increment(ref _invocationsReceived);
        _invocations.Add(1);
    }
}
