using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using SseVirtualization.Clients;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// One open <c>/sse/{clientId}</c> response. Live events queue here from the moment the connection is
/// registered, so nothing published while its backlog is fetched is missed; ids at or below the last one
/// written are skipped, so nothing is written twice.
/// </summary>
internal sealed class SseConnection
{
    private readonly Channel<OutgoingEvent> _queue;
    private long _lastPingTicks;

    public SseConnection(string clientId, string? userId, IReadOnlyDictionary<string, string> metadata, int queueCapacity, DateTimeOffset createdAt)
    {
        ClientId = clientId;
        UserId = userId;
        Metadata = metadata;
        CreatedAt = createdAt;
        _lastPingTicks = createdAt.UtcTicks;
        _queue = Channel.CreateBounded<OutgoingEvent>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping silently
        });
    }

    public string Id { get; } = Guid.NewGuid().ToString();

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

    /// <summary>Queues an event. Returns <c>false</c> (and closes the connection) when the client cannot keep up.</summary>
    public bool TryEnqueue(OutgoingEvent outgoing)
    {
        if (_queue.Writer.TryWrite(outgoing))
        {
            return true;
        }

        _queue.Writer.TryComplete();
        return false;
    }

    /// <summary>Ends the connection's stream (at shutdown).</summary>
    public void Close() => _queue.Writer.TryComplete();

    /// <summary>The whole stream: <paramref name="first"/>, the backlog, then live events until the client leaves.</summary>
    public async IAsyncEnumerable<SseItem<string>> ReadAllAsync(
        SseItem<string> first,
        IReadOnlyList<ClientEvent> backlog,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return first;
        long lastWrittenId = 0;
        foreach (var clientEvent in backlog)
        {
            lastWrittenId = clientEvent.Id;
            yield return ToItem(new OutgoingEvent(clientEvent.Id, clientEvent.Type, clientEvent.DataJson));
        }

        await foreach (var outgoing in _queue.Reader.ReadAllAsync(cancellationToken))
        {
            if (outgoing.Id != 0)
            {
                if (outgoing.Id <= lastWrittenId)
                {
                    continue;
                }

                lastWrittenId = outgoing.Id;
            }

            yield return ToItem(outgoing);
        }
    }

    private static SseItem<string> ToItem(OutgoingEvent outgoing) =>
        new(outgoing.Data, outgoing.Type)
        {
            EventId = outgoing.Id == 0 ? null : outgoing.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
}
