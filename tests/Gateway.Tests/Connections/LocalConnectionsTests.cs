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

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task An_audit_that_comes_while_a_stream_writes_its_backlog_still_brings_the_event_whose_live_copy_was_lost()
    {
        var counters = new GatewayCounters(_services.GetRequiredService<IMeterFactory>());
        var connections = new LocalConnections(counters);
        var connection = new SseConnection("client", null, new Dictionary<string, string>(), 8, DateTimeOffset.UnixEpoch, () => { }, counters);
        connections.Add(connection);

        // The stream opened with events 1 and 2 to write; event 3 was stored and its live copy lost. The audit (a silo's
        // death, or the grain's own) tells this silo that 3 is the newest before the backlog is written.
        connection.SetOpening(new SseItem<string>("{}", ClientEventTypes.Connected), new EventBatch([Stored(1), Stored(2)], Gap: null, LastEventId: 2));
        Assert.Equal(1, connections.CatchUp("client", newestId: 3));
        Assert.Equal(0, connections.CatchUp("someone-else", newestId: 3));

        var fetchedAfter = new List<long>();
        var pipe = new Pipe();
        var writing = connection.WriteAllAsync(
            pipe.Writer,
            after =>
            {
                fetchedAfter.Add(after);
                return Task.FromResult(new EventBatch([Stored(3)], Gap: null, LastEventId: 3));
            },
            CancellationToken.None);
        await using var frames = SseParser.Create(pipe.Reader.AsStream()).EnumerateAsync().GetAsyncEnumerator();

        var ids = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(await frames.MoveNextAsync().AsTask().WaitAsync(Deadline));
            ids.Add(frames.Current.EventId);
        }

        Assert.Equal([null, "1", "2", "3"], ids);
        Assert.Equal([2L], fetchedAfter);

        // Written up to the newest id now: a later audit asks nothing of it.
        Assert.Equal(0, connections.CatchUp("client", newestId: 3));
        connection.Close();
        await writing.WaitAsync(Deadline);
    }

    private static ClientEvent Stored(long id) => new(id, ClientEventTypes.FunctionResponse, "{}", DateTimeOffset.UnixEpoch, null);
}
