using Microsoft.Extensions.DependencyInjection;
using SseVirtualization.Clients;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Clients;

namespace SseVirtualization.Grains.Tests.Clients.Expiry;

/// <summary>
/// Retention by age, read back from Redis: the sweep the client's reminder runs deletes what the age bound hides, and
/// what a client that comes back after it finds. The clock is the silo's fake one; the sweep is called as the
/// reminder calls it (reminders tick in real time), and the reminder's registration is checked in the reminder table.
/// </summary>
[Collection(RedisClockClusterCollectionDefinition.Name)]
public sealed class ClientLogExpiryTests(RedisClockClusterFixture fixture)
{
    private string SomeSilo => fixture.Cluster.Primary!.SiloAddress.ToParsableString();

    private static string NewClientId() => "client-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_client_that_never_returns_keeps_no_segment_past_the_age_bound_while_a_fresh_client_keeps_its_events()
    {
        var (gone, fresh) = (NewClientId(), NewClientId());
        await PublishAsync(gone, 7); // segments 0 to 3 (two events each)
        Assert.Equal(4, Segments(await fixture.KeysOfAsync(gone)).Count);

        fixture.Clock.Advance(TimeSpan.FromHours(23));
        await PublishAsync(fresh, 3);
        fixture.Clock.Advance(TimeSpan.FromHours(2)); // the first client's events are 25 h old, the second's 2 h
        await DeactivateAllAsync();

        await SweepAsync(gone);
        await SweepAsync(fresh);

        var goneKeys = await fixture.KeysOfAsync(gone);
        Assert.Empty(Segments(goneKeys));
        Assert.Single(goneKeys); // the record that keeps the numbering
        Assert.Equal(2, Segments(await fixture.KeysOfAsync(fresh)).Count);
        var kept = await fixture.Grains.GetGrain<IClientGrain>(fresh).GetEventsAfterAsync(0);
        Assert.Equal([1L, 2L, 3L], kept.Events.Select(e => e.Id));
    }

    [Fact]
    public async Task Only_segments_whose_events_have_all_expired_are_deleted()
    {
        var clientId = NewClientId();
        await PublishAsync(clientId, 3); // segment 0 (ids 1, 2) and the first of segment 1
        fixture.Clock.Advance(TimeSpan.FromHours(12));
        await PublishAsync(clientId, 3); // the rest of segment 1 (id 4) and segment 2 (ids 5, 6)
        fixture.Clock.Advance(TimeSpan.FromHours(13));

        await SweepAsync(clientId);

        Assert.Equal(["client-log-1", "client-log-2"], Segments(await fixture.KeysOfAsync(clientId)).Order());
        var batch = await fixture.Grains.GetGrain<IClientGrain>(clientId).GetEventsAfterAsync(0);
        Assert.Equal([4L, 5L, 6L], batch.Events.Select(e => e.Id));
        Assert.Equal(new EventGap(0, 4), batch.Gap);
    }

    [Fact]
    public async Task A_client_returning_after_everything_expired_gets_a_gap_and_ids_after_the_old_ones()
    {
        var clientId = NewClientId();
        var client = fixture.Grains.GetGrain<IClientGrain>(clientId);
        await client.ConnectAsync(SomeSilo, lastEventId: null);
        await PublishAsync(clientId, 5);
        await client.DisconnectAsync(SomeSilo, lastWrittenId: 3);
        fixture.Clock.Advance(MaxAgeAndAMinute);
        await SweepAsync(clientId);
        await DeactivateAllAsync();

        var resumedFromOld = await client.ConnectAsync(SomeSilo, lastEventId: 3);
        Assert.Empty(resumedFromOld.Events);
        Assert.Equal(3, resumedFromOld.Gap?.RequestedAfterId);
        var resumedFromNewest = await client.ConnectAsync(SomeSilo, lastEventId: 5);
        Assert.Null(resumedFromNewest.Gap); // id 6 was never issued: nothing was missed

        var next = await client.PublishAsync(ClientEventTypes.FunctionResponse, "{\"back\":true}");
        Assert.True(next.Id > 5, $"id {next.Id} reuses an id issued before the log expired");
        var afterNewest = await client.GetEventsAfterAsync(5);
        Assert.Null(afterNewest.Gap);
        Assert.Equal([next.Id], afterNewest.Events.Select(e => e.Id));
        var afterOld = await client.GetEventsAfterAsync(3);
        Assert.NotNull(afterOld.Gap);
    }

    [Fact]
    public async Task The_sweep_reminder_is_registered_with_the_first_event_and_removed_when_the_log_is_empty()
    {
        var clientId = NewClientId();
        var reminders = fixture.SiloServices.GetRequiredService<IReminderTable>();
        var grainId = fixture.Grains.GetGrain<IClientGrain>(clientId).GetGrainId();
        Assert.Null(await reminders.ReadRow(grainId, "expire-events"));

        await PublishAsync(clientId, 1);
        var registered = await reminders.ReadRow(grainId, "expire-events");
        Assert.NotNull(registered);
        Assert.Equal(RedisClockClusterFixture.ExpirySweepInterval, registered.Period);

        fixture.Clock.Advance(MaxAgeAndAMinute);
        await SweepAsync(clientId);
        Assert.Null(await reminders.ReadRow(grainId, "expire-events"));

        await PublishAsync(clientId, 1); // a new stretch of activity registers it again
        Assert.NotNull(await reminders.ReadRow(grainId, "expire-events"));
    }

    [Fact]
    public async Task A_head_segment_holding_a_pending_invocation_is_kept_whatever_its_age()
    {
        var clientId = NewClientId();
        await PublishAsync(clientId, 3); // segment 0 and the head, segment 1
        var request = new InvocationRequest("{}", clientId, Async: true, RequestId: "req-" + Guid.NewGuid().ToString("N"));
        var ledger = fixture.Grains.GetGrain<IInvocationLedger>(clientId);
        Assert.Equal(LedgerAcceptance.Accepted, await ledger.AcceptAsync(new PendingInvocation("slow", request, fixture.Clock.GetUtcNow(), 1)));
        fixture.Clock.Advance(MaxAgeAndAMinute);

        await SweepAsync(clientId);

        Assert.Equal(["client-log-1"], Segments(await fixture.KeysOfAsync(clientId)));
        Assert.Equal(1, await ledger.GetPendingCountAsync());
        await DeactivateAllAsync();
        Assert.Equal(1, await ledger.GetPendingCountAsync());
        var next = await fixture.Grains.GetGrain<IClientGrain>(clientId).PublishAsync(ClientEventTypes.FunctionResponse, "{}");
        Assert.Equal(4, next.Id);
    }

    private static TimeSpan MaxAgeAndAMinute => RedisClockClusterFixture.MaxEventAge + TimeSpan.FromMinutes(1);

    private static List<string> Segments(IEnumerable<string> keys) =>
        keys.Select(key => key[(key.LastIndexOf('/') + 1)..]).Where(name => name.StartsWith("client-log-", StringComparison.Ordinal)).ToList();

    private async Task PublishAsync(string clientId, int count)
    {
        var client = fixture.Grains.GetGrain<IClientGrain>(clientId);
        for (var i = 0; i < count; i++)
        {
            await client.PublishAsync(ClientEventTypes.FunctionResponse, $"{{\"n\":{i}}}");
        }
    }

    private Task SweepAsync(string clientId) => fixture.Grains.GetGrain<IClientLogExpiry>(clientId).SweepExpiredAsync();

    // As after an idle client's grain is collected: the sweep then finds only what Redis holds.
    private Task DeactivateAllAsync() => fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
}
