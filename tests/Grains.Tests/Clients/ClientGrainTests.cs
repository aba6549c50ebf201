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
    public async Task A_grain_hands_its_events_to_the_connections_of_its_own_silo_before_the_publish_returns_and_to_no_other()
    {
        // Connections on both silos; only the silo the grain lives on is handed the event by the grain itself (the
        // other is reached through the delivery channel, which nothing here subscribes to).
        var client = NewClient();
        var clientId = client.GetPrimaryKeyString();
        foreach (var silo in fixture.LocalDeliveries)
        {
            await client.ConnectAsync(silo.SiloId, lastEventId: null);
        }

        var published = await client.PublishAsync(ClientEventTypes.FunctionResponse, "{\"n\":1}");

        var received = fixture.LocalDeliveries
            .Select(silo => silo.Delivered.Where(d => d.ClientId == clientId).Select(d => d.Event.Id).ToList())
            .ToList();
        Assert.Single(received, ids => ids.Count > 0);
        Assert.Contains(received, ids => ids.SequenceEqual([published.Id]));
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
    public async Task A_late_close_of_a_failed_open_does_not_take_away_the_next_connection()
    {
        // A stream's open failed at the gateway, which closes it by its id, best effort; the client's retry opened
        // meanwhile and the close arrives after it. Counted anonymously, the close took the retry's place: the grain
        // stopped pushing live events to the silo holding it (they came only by the 30 s delivery audit).
        var client = NewClient();
        await client.OpenConnectionAsync(SomeSilo, "retry", lastEventId: null);
        await client.CloseConnectionAsync(SomeSilo, "failed", lastWrittenId: -1);
        await client.PublishAsync(ClientEventTypes.FunctionResponse, "{}");

        Assert.Empty((await client.OpenConnectionAsync(SomeSilo, "another", lastEventId: null)).Events);
    }

    [Fact]
    public async Task An_open_arriving_after_its_own_close_records_no_connection()
    {
        var client = NewClient();
        await client.CloseConnectionAsync(SomeSilo, "gave-up", lastWrittenId: -1);
        await client.OpenConnectionAsync(SomeSilo, "gave-up", lastEventId: null);
        var waiting = await client.PublishAsync(ClientEventTypes.FunctionResponse, "{}");

        Assert.Equal([waiting.Id], (await client.OpenConnectionAsync(SomeSilo, "next", lastEventId: null)).Events.Select(e => e.Id));
    }

    [Fact]
    public async Task A_connection_opened_or_closed_twice_counts_once()
    {
        var client = NewClient();
        await client.OpenConnectionAsync(SomeSilo, "a", lastEventId: null);
        await client.OpenConnectionAsync(SomeSilo, "a", lastEventId: null);
        await client.OpenConnectionAsync(SomeSilo, "b", lastEventId: null);
        await client.CloseConnectionAsync(SomeSilo, "a", lastWrittenId: -1);
        await client.CloseConnectionAsync(SomeSilo, "a", lastWrittenId: -1);
        await client.PublishAsync(ClientEventTypes.FunctionResponse, "{}");
        await client.CloseConnectionAsync(SomeSilo, "b", lastWrittenId: -1);
        var waiting = await client.PublishAsync(ClientEventTypes.FunctionResponse, "{}");

        // "b" held the first event live; once it closed, the second waited for the next connection.
        Assert.Equal([waiting.Id], (await client.OpenConnectionAsync(SomeSilo, "c", lastEventId: null)).Events.Select(e => e.Id));
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

    [Fact]
    public async Task A_log_over_its_bytes_keeps_the_newest_results_and_a_client_resuming_before_them_gets_a_gap()
    {
        var client = NewClient();
        const int size = 20_000;
        for (var n = 1; n <= 12; n++)
        {
            await client.PublishAsync(ClientEventTypes.FunctionResponse, Payload(n, size));

            // Deactivated halfway: the bound goes on from the byte counts stored with the client's record.
            if (n == 6)
            {
                await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            }
        }

        var batch = await client.ConnectAsync(SomeSilo, lastEventId: 0);
        var kept = await Replay.ReadAllAsync(client, batch);

        // The count bound (5) would keep 8 to 12; the byte bound keeps fewer, the newest, in order.
        Assert.InRange(kept.Count, 1, 3);
        Assert.Equal(12, kept[^1].Id);
        Assert.Equal(Enumerable.Range((int)kept[0].Id, kept.Count).Select(i => (long)i), kept.Select(e => e.Id));
        Assert.True(kept.Sum(e => e.DataJson.Length) <= GrainClusterFixture.MaxLogBytes);
        var gap = Assert.IsType<EventGap>(batch.Gap);
        Assert.Equal(0, gap.RequestedAfterId);
        Assert.Equal(kept[0].Id, gap.OldestAvailableId);

        // Resuming right after what was evicted: no gap.
        var exact = await client.GetEventsAfterAsync(kept[0].Id - 1);
        Assert.Null(exact.Gap);
    }

    private static string Payload(int n, int size) => $$"""{"n":{{n}},"filler":"{{new string('x', size - 20)}}"}""";
}
