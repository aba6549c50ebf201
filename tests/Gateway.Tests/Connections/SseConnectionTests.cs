using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using SseVirtualization.Clients;
using SseVirtualization.Gateway.Connections;

namespace SseVirtualization.Gateway.Tests.Connections;

public sealed class SseConnectionTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task A_waiting_stream_keeps_nothing_it_wrote_neither_its_opening_nor_its_last_event()
    {
        var connection = NewConnection(() => { });
        var opening = SetOpening(connection);
        var pipe = new Pipe();
        var writing = connection.WriteAllAsync(pipe.Writer, _ => throw new InvalidOperationException("nothing is missing"), CancellationToken.None);
        await using var frames = SseParser.Create(pipe.Reader.AsStream()).EnumerateAsync().GetAsyncEnumerator();

        var read = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            read.Add(await NextTypeAsync(frames));
        }

        var live = Enqueue(connection, 3);
        read.Add(await NextTypeAsync(frames));
        Assert.Equal([ClientEventTypes.Connected, "first", "second", ClientEventTypes.FunctionResponse], read);

        // The stream now waits for live events, for hours perhaps: what it wrote must be collectable.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(opening.Backlog.IsAlive, "the backlog is kept");
        Assert.False(opening.ConnectedData.IsAlive, "the connected event is kept");
        Assert.False(live.IsAlive, "the last live event is kept");

        connection.Close();
        await writing.WaitAsync(Deadline);
    }

    [Fact]
    public async Task A_client_that_leaves_ends_the_stream_and_the_connection()
    {
        var aborted = 0;
        var connection = NewConnection(() => aborted++);
        connection.SetOpening(new SseItem<string>("{}", ClientEventTypes.Connected), new EventBatch([], Gap: null, LastEventId: 0));
        using var leaving = new CancellationTokenSource();
        var pipe = new Pipe();
        var writing = connection.WriteAllAsync(pipe.Writer, _ => throw new InvalidOperationException("nothing is missing"), leaving.Token);
        await using var frames = SseParser.Create(pipe.Reader.AsStream()).EnumerateAsync().GetAsyncEnumerator();
        Assert.Equal(ClientEventTypes.Connected, await NextTypeAsync(frames));
        Assert.False(writing.IsCompleted);

        await leaving.CancelAsync();

        await writing.WaitAsync(Deadline);
        Assert.False(connection.TryEnqueue(new OutgoingEvent(1, ClientEventTypes.FunctionResponse, "{}")));
        Assert.Equal(0, aborted); // the request is over: it is never aborted after
    }

    [Fact]
    public async Task A_stream_that_failed_is_never_aborted_afterwards_however_full_its_queue()
    {
        var aborted = 0;
        var connection = NewConnection(() => aborted++);
        connection.SetOpening(new SseItem<string>("{}", ClientEventTypes.Connected), new EventBatch([], Gap: null, LastEventId: 0));
        var pipe = new Pipe();
        var writing = connection.WriteAllAsync(pipe.Writer, _ => throw new InvalidOperationException("the log is unreachable"), CancellationToken.None);
        await using var frames = SseParser.Create(pipe.Reader.AsStream()).EnumerateAsync().GetAsyncEnumerator();
        Assert.Equal(ClientEventTypes.Connected, await NextTypeAsync(frames));

        // A hole makes the stream read the log, which fails: the stream ends with the error.
        Enqueue(connection, 2);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writing.WaitAsync(Deadline));

        // The request is over (its context may already serve another request): an overflow must not abort it.
        for (var id = 3; id < 3 + 9; id++)
        {
            connection.TryEnqueue(new OutgoingEvent(id, ClientEventTypes.FunctionResponse, "{}"));
        }

        Assert.Equal(0, aborted);
    }

    [Fact]
    public async Task A_closed_stream_is_given_up_by_its_silo_as_soon_as_its_writer_ends_and_only_once()
    {
        var endedCalls = 0;
        var connection = new SseConnection(
            "client", null, new Dictionary<string, string>(), 8, DateTimeOffset.UnixEpoch, () => { }, new GatewayCounters(_services.GetRequiredService<IMeterFactory>()),
            ended => { Assert.Equal("client", ended.ClientId); endedCalls++; });
        connection.SetOpening(new SseItem<string>("{}", ClientEventTypes.Connected), new EventBatch([], Gap: null, LastEventId: 0));
        var pipe = new Pipe();
        var writing = connection.WriteAllAsync(pipe.Writer, _ => throw new InvalidOperationException("nothing is missing"), CancellationToken.None);
        await using var frames = SseParser.Create(pipe.Reader.AsStream()).EnumerateAsync().GetAsyncEnumerator();
        Assert.Equal(ClientEventTypes.Connected, await NextTypeAsync(frames));
        Assert.Equal(0, endedCalls);

        connection.Close();
        await writing.WaitAsync(Deadline);
        Assert.Equal(1, endedCalls);

        connection.End(); // the response's clean-up ends it again
        Assert.Equal(1, endedCalls);
    }

    [Fact]
    public async Task A_hole_in_live_events_is_filled_from_the_log_and_nothing_is_written_twice()
    {
        var connection = NewConnection(() => { });
        connection.SetOpening(new SseItem<string>("{}", ClientEventTypes.Connected), new EventBatch([], Gap: null, LastEventId: 0));
        var fetchedAfter = new List<long>();
        var pipe = new Pipe();
        var writing = connection.WriteAllAsync(
            pipe.Writer,
            after =>
            {
                fetchedAfter.Add(after);
                return Task.FromResult(new EventBatch([StoredEvent(1), StoredEvent(2), StoredEvent(3)], Gap: null, LastEventId: 3));
            },
            CancellationToken.None);
        await using var frames = SseParser.Create(pipe.Reader.AsStream()).EnumerateAsync().GetAsyncEnumerator();
        Assert.Equal(ClientEventTypes.Connected, await NextTypeAsync(frames));

        // Events 1 and 2 never arrived live: event 3 shows the hole.
        Enqueue(connection, 3);
        Enqueue(connection, 4);

        var ids = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(await frames.MoveNextAsync().AsTask().WaitAsync(Deadline));
            ids.Add(frames.Current.EventId);
        }

        Assert.Equal(["1", "2", "3", "4"], ids);
        Assert.Equal([0L], fetchedAfter);
        connection.Close();
        await writing.WaitAsync(Deadline);
    }

    [Fact]
    public async Task A_catch_up_fetches_a_lost_last_event_once_and_nothing_when_the_live_events_before_it_brought_everything()
    {
        var connection = NewConnection(() => { });
        connection.SetOpening(new SseItem<string>("{}", ClientEventTypes.Connected), new EventBatch([], Gap: null, LastEventId: 0));
        var fetchedAfter = new List<long>();
        var pipe = new Pipe();
        var writing = connection.WriteAllAsync(
            pipe.Writer,
            after =>
            {
                fetchedAfter.Add(after);
                return Task.FromResult(new EventBatch([StoredEvent(3)], Gap: null, LastEventId: 3));
            },
            CancellationToken.None);
        await using var frames = SseParser.Create(pipe.Reader.AsStream()).EnumerateAsync().GetAsyncEnumerator();
        Assert.Equal(ClientEventTypes.Connected, await NextTypeAsync(frames));

        // Events 1 and 2 arrive live, and a catch-up to 2 queued behind them (the audit came while they were queued)
        // finds nothing missing; event 3 is lost, and a catch-up to 3 fetches it.
        Enqueue(connection, 1);
        Enqueue(connection, 2);
        connection.RequestCatchUp(2);
        connection.RequestCatchUp(3);

        var ids = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await frames.MoveNextAsync().AsTask().WaitAsync(Deadline));
            ids.Add(frames.Current.EventId);
        }

        Assert.Equal(["1", "2", "3"], ids);
        Assert.Equal([2L], fetchedAfter);
        connection.Close();
        await writing.WaitAsync(Deadline);
    }

    private SseConnection NewConnection(Action abort) =>
        new("client", null, new Dictionary<string, string>(), 8, DateTimeOffset.UnixEpoch, abort, new GatewayCounters(_services.GetRequiredService<IMeterFactory>()));

    private static ClientEvent StoredEvent(long id) => new(id, ClientEventTypes.FunctionResponse, "{}", DateTimeOffset.UnixEpoch, null);

    private static async Task<string> NextTypeAsync(IAsyncEnumerator<SseItem<string>> frames)
    {
        Assert.True(await frames.MoveNextAsync().AsTask().WaitAsync(Deadline));
        return frames.Current.EventType;
    }

    // Not inlined, so no local of the test itself holds what is handed over.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference Enqueue(SseConnection connection, long id)
    {
        var data = "{\"id\":" + id + "}";
        Assert.True(connection.TryEnqueue(new OutgoingEvent(id, ClientEventTypes.FunctionResponse, data)));
        return new WeakReference(data);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Backlog, WeakReference ConnectedData) SetOpening(SseConnection connection)
    {
        var connected = new string('c', 200);
        var backlog = new EventBatch(
            [new ClientEvent(1, "first", "{}", DateTimeOffset.UnixEpoch, null), new ClientEvent(2, "second", "{}", DateTimeOffset.UnixEpoch, null)],
            Gap: null,
            LastEventId: 2);
        connection.SetOpening(new SseItem<string>(connected, ClientEventTypes.Connected), backlog);
        return (new WeakReference(backlog), new WeakReference(connected));
    }
}
