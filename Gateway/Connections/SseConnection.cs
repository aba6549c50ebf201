using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using SseVirtualization.Clients;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// One open <c>/sse/{clientId}</c> response. Live events queue here from the moment the connection is
/// registered, so nothing published while its backlog is fetched is missed. The writer tracks the last
/// event id it wrote: ids at or below it are skipped (nothing is written twice), and a jump past it means
/// live deliveries were lost, so the missing events are fetched from the client grain first.
/// </summary>
internal sealed class SseConnection
{

    private readonly EventQueue _queue;
    private readonly Action _abort;
    private readonly GatewayCounters _counters;
    private long _lastPingTicks;
    private long _lastWrittenId = -1;
    private readonly Action<SseConnection>? _onEnded;
    private int _ended; // 1 once ended
    private SseItem<string>? _connected;
    private EventBatch? _backlog;

    // abort drops the socket: a writer stuck on a client that stopped reading cannot be ended politely. ended is told
    // once, as soon as the stream ends (before the response's last bytes are flushed, which a client that stopped
    // reading can hold up for seconds). budget bounds the queue's bytes (none when null).
    public SseConnection(
        string clientId,
        string? userId,
        IReadOnlyDictionary<string, string> metadata,
        int queueCapacity,
        DateTimeOffset createdAt,
        Action abort,
        GatewayCounters counters,
        Action<SseConnection>? ended = null,
        QueueByteBudget? budget = null)
    {
        _abort = abort;
        _onEnded = ended;
        _counters = counters;
        ClientId = clientId;
        UserId = userId;
        Metadata = metadata;
        CreatedAt = createdAt;
        _lastPingTicks = createdAt.UtcTicks;
        _queue = new EventQueue(queueCapacity, budget);
    }

    public string Id { get; } = Guid.NewGuid().ToString();

    /// <summary>Who opened the stream as the abuse limits count callers (token subject, API key, or address).</summary>
    public string Caller { get; init; } = string.Empty;

    public string ClientId { get; }

    public string? UserId { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>When the connection last got a heartbeat (written by the heartbeat timer, read by admin listings).</summary>
    public DateTimeOffset LastPing
    {
        get => new(Volatile.Read(ref _lastPingTicks), TimeSpan.Zero);
        set => Volatile.Write(ref _lastPingTicks, value.UtcTicks);
    }

    /// <summary>Events waiting to be written.</summary>
    public int QueueLength => _queue.Count;

    /// <summary>Bytes this connection's queue holds (see <see cref="EventQueue.Bytes"/>).</summary>
    public long QueuedBytes => _queue.Bytes;

    /// <summary>The id of the last event written, or -1 before the backlog is written.</summary>
    public long LastWrittenId => Volatile.Read(ref _lastWrittenId);

    /// <summary>
    /// Queues an event. Returns <c>false</c> (and drops the connection) when the client cannot keep up: its queue is
    /// full, by events or bytes, or the silo's queues together hold all the bytes they may.
    /// </summary>
    public bool TryEnqueue(OutgoingEvent outgoing)
    {
        if (_queue.TryWrite(outgoing))
        {
            return true;
        }

        if (_queue.TryComplete() && Volatile.Read(ref _ended) == 0)
        {
            // The client resumes from the log with Last-Event-ID when it reconnects.
            try
            {
                _abort();
            }
            catch (ObjectDisposedException)
            {
                // The request already ended.
            }
        }

        return false;
    }

    /// <summary>
    /// Asks the writer to fetch the events up to <paramref name="newestId"/> it has not written (the client grain has them).
    /// Queued behind what is already queued: if the live copies arrive first, nothing is fetched.
    /// </summary>
    public void RequestCatchUp(long newestId) => TryEnqueue(OutgoingEvent.CatchUpTo(newestId));

    /// <summary>Ends the connection's stream.</summary>
    public void Close() => _queue.TryComplete();

    /// <summary>
    /// The response has ended: nothing more is queued or read (what is still queued is dropped, and its bytes given back
    /// to the silo), and the request must never be aborted again.
    /// </summary>
    public void End()
    {
        var first = Interlocked.Exchange(ref _ended, 1) == 0;
        _queue.Discard();
        if (first)
        {
            _onEnded?.Invoke(this);
        }
    }

    /// <summary>Tells the client to reconnect soon (elsewhere), then ends the stream.</summary>
    public void Close(OutgoingEvent farewell)
    {
        _queue.TryWrite(farewell);
        _queue.TryComplete();
    }

    /// <summary>
    /// Sets what the stream writes first: the <c>connected</c> event, then the events the client missed. They are held
    /// only until written: a stream can last hours, and a reconnecting client's backlog can be a page of large events.
    /// </summary>
    public void SetOpening(SseItem<string> connected, EventBatch backlog)
    {
        _connected = connected;
        _backlog = backlog;
    }

    /// <summary>
    /// Writes the whole stream: the opening (see <see cref="SetOpening"/>), then live events until the queue is closed or
    /// the client leaves (<paramref name="cancellationToken"/>). Ends the connection (<see cref="End"/>) when done.
    /// </summary>
    /// <remarks>
    /// A plain async method that writes each frame itself, not an async iterator handed to a writer: an iterator keeps the
    /// last item it yielded, and its arguments, for as long as the stream waits. The last event's data then outlived
    /// young-generation collections on every busy stream, and a reconnecting client's backlog stayed for the stream's life.
    /// </remarks>
    public async Task WriteAllAsync(PipeWriter writer, Func<long, Task<EventBatch>> fetchAfter, CancellationToken cancellationToken)
    {
        // One registration for the life of the stream, not one per wait: a client that leaves closes the queue.
        using var leaving = cancellationToken.UnsafeRegister(static queue => ((EventQueue)queue!).TryComplete(), _queue);
        try
        {
            if (_connected.HasValue)
            {
                EventStreamResult.Write(writer, TakeConnected());
                if (!await FlushAsync(writer, cancellationToken))
                {
                    return;
                }
            }

            if (_backlog is not null && !await WriteFromLogAsync(writer, TakeBacklog(), fetchAfter, cancellationToken))
            {
                return;
            }

            while (await _queue.WaitToReadAsync() && !cancellationToken.IsCancellationRequested)
            {
                // An empty queue leaves outgoing default: a waiting stream keeps none of what it wrote.
                while (_queue.TryRead(out var outgoing))
                {
                    if (outgoing.Id != 0)
                    {
                        // An event written already, or a catch-up that the live events before it have done.
                        if (Math.Abs(outgoing.Id) <= LastWrittenId)
                        {
                            continue;
                        }

                        if (outgoing.Id != LastWrittenId + 1)
                        {
                            // A hole (live deliveries lost) or a catch-up request: the grain's log has what is missing.
                            if (!await WriteFromLogAsync(writer, await fetchAfter(LastWrittenId), fetchAfter, cancellationToken))
                            {
                                return;
                            }

                            if (outgoing.Id <= LastWrittenId)
                            {
                                continue;
                            }
                        }

                        Volatile.Write(ref _lastWrittenId, outgoing.Id);
                    }

                    if (!await WriteLiveAsync(writer, outgoing, cancellationToken))
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            End();
        }
    }

    private SseItem<string> TakeConnected()
    {
        var connected = _connected!.Value;
        _connected = null;
        return connected;
    }

    private EventBatch TakeBacklog()
    {
        var backlog = _backlog!;
        _backlog = null;
        return backlog;
    }

    private async ValueTask<bool> WriteLiveAsync(PipeWriter writer, OutgoingEvent outgoing, CancellationToken cancellationToken)
    {
        using var delivery = GatewayTelemetry.StartDelivery(outgoing, ClientId);
        EventStreamResult.Write(writer, ToItem(outgoing));
        return await FlushAsync(writer, cancellationToken);
    }

    /// <summary>Writes a batch from the client's log and, when it is one page of a longer read, the pages after it.</summary>
    private async Task<bool> WriteFromLogAsync(
        PipeWriter writer, EventBatch batch, Func<long, Task<EventBatch>> fetchAfter, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (batch.Gap is { } gap)
            {
                EventStreamResult.Write(writer, new SseItem<string>(SseFrames.Gap(gap), ClientEventTypes.Gap));
                if (!await FlushAsync(writer, cancellationToken))
                {
                    return false;
                }
            }

            foreach (var clientEvent in batch.Events)
            {
                if (clientEvent.Id <= LastWrittenId)
                {
                    continue;
                }

                _counters.EventsReplayedFromLog(1);
                Volatile.Write(ref _lastWrittenId, clientEvent.Id);
                EventStreamResult.Write(writer, ToItem(new OutgoingEvent(clientEvent.Id, clientEvent.Type, clientEvent.DataJson)));
                if (!await FlushAsync(writer, cancellationToken))
                {
                    return false;
                }
            }

            if (!batch.More)
            {
                Volatile.Write(ref _lastWrittenId, Math.Max(LastWrittenId, batch.LastEventId));
                return true;
            }

            batch = await fetchAfter(LastWrittenId);
        }
    }

    /// <summary><c>false</c> once the client is gone.</summary>
    private static async ValueTask<bool> FlushAsync(PipeWriter writer, CancellationToken cancellationToken)
    {
        var flushed = await writer.FlushAsync(cancellationToken);
        return !flushed.IsCompleted && !flushed.IsCanceled;
    }

    private static SseItem<string> ToItem(OutgoingEvent outgoing) =>
        new(outgoing.Data, outgoing.Type)
        {
            EventId = outgoing.Id <= 0 ? null : outgoing.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ReconnectionInterval = outgoing.Retry,
        };
}
