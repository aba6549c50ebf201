using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using Microsoft.Extensions.DependencyInjection;
using SseVirtualization.Clients;
using SseVirtualization.Gateway.Connections;

namespace SseVirtualization.Gateway.Tests.Connections;

public sealed class LocalConnectionsTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly GatewayCounters _counters;
    private readonly LocalConnections _connections;

    public LocalConnectionsTests()
    {
        _counters = new GatewayCounters(_services.GetRequiredService<IMeterFactory>());
        _connections = new LocalConnections(_counters);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task An_audit_that_comes_while_a_stream_opens_still_brings_the_event_whose_live_copy_was_lost()
    {
        var connection = Open();

        // The audit (a silo's death, or the grain's own) says 3 is the newest while the grain is still answering the open;
        // the open returns events 1 and 2, and event 3's live copy was lost. Asked, not counted: its backlog may bring all.
        Assert.Equal(0, _connections.CatchUp("client", newestId: 3));
        Assert.Equal(0, _connections.CatchUp("someone-else", newestId: 3));
        connection.SetOpening(new SseItem<string>("{}", ClientEventTypes.Connected), new EventBatch([Stored(1), Stored(2)], Gap: null, LastEventId: 2));

        var fetchedAfter = new List<long>();
        await using var frames = Write(connection, fetchedAfter, out var writing);

        Assert.Equal([null, "1", "2", "3"], await IdsAsync(frames, 4));
        Assert.Equal([2L], fetchedAfter);

        // Written up to the newest id now: a later audit asks nothing of it.
        Assert.Equal(0, _connections.CatchUp("client", newestId: 3));
        connection.Close();
        await writing.WaitAsync(Deadline);
    }

    [Fact]
    public async Task An_audit_the_backlog_already_answers_fetches_nothing_and_a_client_without_events_is_not_asked()
    {
        var connection = Open();
        Assert.Equal(0, _connections.CatchUp("client", newestId: 0));
        Assert.Equal(0, _connections.CatchUp("client", newestId: 2));
        connection.SetOpening(new SseItem<string>("{}", ClientEventTypes.Connected), new EventBatch([Stored(1), Stored(2)], Gap: null, LastEventId: 2));

        var fetchedAfter = new List<long>();
        await using var frames = Write(connection, fetchedAfter, out var writing);
        Assert.True(connection.TryEnqueue(new OutgoingEvent(3, ClientEventTypes.FunctionResponse, "{}")));

        Assert.Equal([null, "1", "2", "3"], await IdsAsync(frames, 4));
        Assert.Empty(fetchedAfter);
        connection.Close();
        await writing.WaitAsync(Deadline);
    }

    private SseConnection Open()
    {
        var connection = new SseConnection("client", null, new Dictionary<string, string>(), 8, DateTimeOffset.UnixEpoch, () => { }, _counters);
        _connections.Add(connection);
        return connection;
    }

    private static IAsyncEnumerator<SseItem<string>> Write(SseConnection connection, List<long> fetchedAfter, out Task writing)
    {
        var pipe = new Pipe();
        writing = connection.WriteAllAsync(
            pipe.Writer,
            after =>
            {
                fetchedAfter.Add(after);
                return Task.FromResult(new EventBatch([Stored(3)], Gap: null, LastEventId: 3));
            },
            CancellationToken.None);
        return SseParser.Create(pipe.Reader.AsStream()).EnumerateAsync().GetAsyncEnumerator();
    }

    private static async Task<List<string?>> IdsAsync(IAsyncEnumerator<SseItem<string>> frames, int count)
    {
        var ids = new List<string?>();
        for (var i = 0; i < count; i++)
        {
            Assert.True(await frames.MoveNextAsync().AsTask().WaitAsync(Deadline));
            ids.Add(frames.Current.EventId);
        }

        return ids;
    }

    private static ClientEvent Stored(long id) => new(id, ClientEventTypes.FunctionResponse, "{}", DateTimeOffset.UnixEpoch, null);
}
