using SseVirtualization.Clients;

namespace SseVirtualization.Grains.Tests.Clients;

[Collection(GrainClusterCollectionDefinition.Name)]
public sealed class ClientGrainTests(GrainClusterFixture fixture)
{
    // A live silo's id; nothing subscribes to its stream here, so the events only reach the grain's log.
    private string SomeSilo => fixture.Cluster.Primary!.SiloAddress.ToParsableString();

    private IClientGrain NewClient() => fixture.Grains.GetGrain<IClientGrain>("client-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Events_for_a_client_that_is_not_connected_wait_and_are_handed_over_once()
    {
        var client = NewClient();
        await client.PublishAsync(ClientEventTypes.FunctionResponse, "{\"n\":1}");
        await client.PublishAsync(ClientEventTypes.FunctionResponse, "{\"n\":2}");

        var first = await client.ConnectAsync(SomeSilo, lastEventId: null);
        var second = await client.ConnectAsync(SomeSilo, lastEventId: null);

        Assert.Equal([1L, 2L], first.Events.Select(e => e.Id));
        Assert.Equal(["{\"n\":1}", "{\"n\":2}"], first.Events.Select(e => e.DataJson));
        Assert.Empty(second.Events);
    }

    [Fact]
    public async Task Events_published_while_connected_count_as_sent()
    {
        var client = NewClient();
        await client.ConnectAsync(SomeSilo, lastEventId: null);
        await client.PublishAsync(ClientEventTypes.FunctionResponse, "{}");

        Assert.Empty((await client.ConnectAsync(SomeSilo, lastEventId: null)).Events);
    }

    [Fact]
    public async Task Events_published_after_the_last_connection_closed_wait_again()
    {
        var client = NewClient();
        await client.ConnectAsync(SomeSilo, lastEventId: null);
        await client.DisconnectAsync(SomeSilo, -1);
        var waiting = await client.PublishAsync(ClientEventTypes.FunctionResponse, "{}");

        Assert.Equal([waiting.Id], (await client.ConnectAsync(SomeSilo, lastEventId: null)).Events.Select(e => e.Id));
    }

    [Fact]
    public async Task Events_the_last_connection_never_wrote_go_to_the_next_connection()
    {
        // Published to the silo of a live connection, but the connection closed before writing the second one.
        var client = NewClient();
        await client.ConnectAsync(SomeSilo, lastEventId: null);
        var written = await client.PublishAsync(ClientEventTypes.FunctionResponse, "{\"n\":1}");
        var missed = await client.PublishAsync(ClientEventTypes.FunctionResponse, "{\"n\":2}");
        await client.DisconnectAsync(SomeSilo, lastWrittenId: written.Id);

        var next = await client.ConnectAsync(SomeSilo, lastEventId: null);

        Assert.Equal([missed.Id], next.Events.Select(e => e.Id));
        Assert.Null(next.Gap);
    }

    [Fact]
    public async Task Connect_with_a_last_event_id_returns_only_later_events()
    {
        var client = NewClient();
        for (var i = 0; i < 4; i++)
        {
            await client.PublishAsync(ClientEventTypes.FunctionResponse, "{}");
        }

        Assert.Equal([3L, 4L], (await client.ConnectAsync(SomeSilo, lastEventId: 2)).Events.Select(e => e.Id));
        Assert.Empty((await client.ConnectAsync(SomeSilo, lastEventId: 4)).Events);
    }

    [Fact]
    public async Task Log_keeps_only_the_newest_events_and_ids_keep_increasing()
    {
        var client = NewClient();
        var capacity = GrainClusterFixture.EventLogCapacity;
        for (var i = 0; i < capacity + 3; i++)
        {
            await client.PublishAsync(ClientEventTypes.FunctionResponse, "{}");
        }

        var first = await client.ConnectAsync(SomeSilo, lastEventId: 0);
        var kept = await Replay.ReadAllAsync(client, first);

        // The fixture pages replays by 3 events, so this one came in two pages.
        Assert.True(first.More);
        Assert.Equal(3, first.Events.Count);
        Assert.Equal(Enumerable.Range(4, capacity).Select(i => (long)i), kept.Select(e => e.Id));
    }

    [Fact]
    public async Task Waiting_events_survive_the_grain_being_deactivated()
    {
        var client = NewClient();
        await client.PublishAsync(ClientEventTypes.FunctionResponse, "{\"kept\":true}");

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var backlog = await client.ConnectAsync(SomeSilo, lastEventId: null);
        Assert.Equal("{\"kept\":true}", Assert.Single(backlog.Events).DataJson);
    }
}
