using System.Diagnostics.Metrics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using SseVirtualization.Clients;
using SseVirtualization.Gateway.Connections;

namespace SseVirtualization.Gateway.Tests.Connections;

public sealed class SseConnectionTests
{
    [Fact]
    public async Task A_stream_writes_its_opening_then_live_events_and_keeps_none_of_the_opening_once_written()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var connection = new SseConnection(
            "client", null, new Dictionary<string, string>(), 8, DateTimeOffset.UnixEpoch, () => { }, new GatewayCounters(services.GetRequiredService<IMeterFactory>()));
        var opening = SetOpening(connection);

        var stream = connection.ReadAllAsync(_ => throw new InvalidOperationException("nothing is missing"), CancellationToken.None).GetAsyncEnumerator();
        var written = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await stream.MoveNextAsync());
            written.Add(stream.Current.EventType);
        }

        // The stream now waits for live events, for hours perhaps: what it wrote first must be collectable.
        var waiting = stream.MoveNextAsync();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(opening.Backlog.IsAlive, "the backlog is kept");
        Assert.False(opening.ConnectedData.IsAlive, "the connected event is kept");

        Assert.True(connection.TryEnqueue(new OutgoingEvent(3, ClientEventTypes.FunctionResponse, "{}")));
        Assert.True(await waiting);
        written.Add(stream.Current.EventType);
        Assert.Equal([ClientEventTypes.Connected, "first", "second", ClientEventTypes.FunctionResponse], written);

        connection.End();
        Assert.False(await stream.MoveNextAsync());
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task A_client_that_leaves_ends_the_stream_and_the_connection()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var aborted = 0;
        var connection = new SseConnection(
            "client", null, new Dictionary<string, string>(), 8, DateTimeOffset.UnixEpoch, () => aborted++, new GatewayCounters(services.GetRequiredService<IMeterFactory>()));
        connection.SetOpening(new SseItem<string>("{}", ClientEventTypes.Connected), new EventBatch([], Gap: null, LastEventId: 0));
        using var leaving = new CancellationTokenSource();

        var stream = connection.ReadAllAsync(_ => throw new InvalidOperationException("nothing is missing"), leaving.Token).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync());
        var waiting = stream.MoveNextAsync();
        Assert.False(waiting.IsCompleted);

        await leaving.CancelAsync();

        Assert.False(await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        await stream.DisposeAsync();
        Assert.False(connection.TryEnqueue(new OutgoingEvent(1, ClientEventTypes.FunctionResponse, "{}")));
        Assert.Equal(0, aborted); // the request is over: it is never aborted after
    }

    // Not inlined, so no local of the test itself holds what is handed over.
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
