using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using SseVirtualization.Clients;
using SseVirtualization.EndToEnd.Tests.Observability;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>
/// The client grain's delivery audit: a lost last event still reaches an open stream, and the audit leaves an idle
/// client alone, so its grain deactivates while the stream stays open and keeps receiving.
/// </summary>
public sealed class DeliveryAuditTests
{
    [Fact]
    public async Task A_last_event_that_never_reached_the_silo_still_reaches_the_open_stream_with_no_later_event()
    {
        await using var redis = await RedisServer.StartAsync();
        var environment = ClusterFixture.SiloEnvironment(redis, "audit-" + Guid.NewGuid().ToString("N")[..10]);

        // Long enough that the steps below surely come before the audit the first event arms.
        environment["Clients__DeliveryAuditDelay"] = "00:00:08";
        await using var silo = await InProcessSilo.StartAsync(environment);
        var (grains, siloId) = GrainsOf(silo);
        var clientId = "audited-" + Guid.NewGuid().ToString("N");
        await using var sse = await SseClient.ConnectAsync(silo.BaseAddress, $"sse/{clientId}");
        await sse.NextOfTypeAsync("connected");
        var client = grains.GetGrain<IClientGrain>(clientId);

        var delivered = await client.PublishAsync(ClientEventTypes.FunctionResponse, "{\"n\":1}");
        Assert.Equal(Id(delivered), (await sse.NextOfTypeAsync(ClientEventTypes.FunctionResponse)).EventId);

        // The next event is stored but never sent to the silo, as if its message were lost: the grain forgets the
        // connection while it stores the event, then learns of it again (as a connect that already has the event would).
        await client.DisconnectAsync(siloId, -1);
        var lost = await client.PublishAsync(ClientEventTypes.FunctionResponse, "{\"n\":2}");
        await client.ConnectAsync(siloId, lost.Id);

        // No later event shows the stream a hole: only the audit can bring it.
        var caughtUp = await sse.NextOfTypeAsync(ClientEventTypes.FunctionResponse, TimeSpan.FromSeconds(60));
        Assert.Equal(Id(lost), caughtUp.EventId);
        Assert.Contains("\"n\":2", caughtUp.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idle_clients_grain_deactivates_while_its_stream_stays_open_and_the_next_event_still_arrives()
    {
        await using var redis = await RedisServer.StartAsync();
        var environment = ClusterFixture.SiloEnvironment(redis, "idle-" + Guid.NewGuid().ToString("N")[..10]);
        await using var silo = await InProcessSilo.StartAsync(environment);
        var (grains, _) = GrainsOf(silo);
        var management = grains.GetGrain<IManagementGrain>(0);
        var clientId = "idle-" + Guid.NewGuid().ToString("N");
        await using var sse = await SseClient.ConnectAsync(silo.BaseAddress, $"sse/{clientId}");
        await sse.NextOfTypeAsync("connected");
        var client = grains.GetGrain<IClientGrain>(clientId);
        var first = await client.PublishAsync(ClientEventTypes.FunctionResponse, "{\"n\":1}");
        Assert.Equal(Id(first), (await sse.NextOfTypeAsync(ClientEventTypes.FunctionResponse)).EventId);

        // Heartbeats go on (1 s here) and the delivery audit of that event runs (2 s here), yet nothing calls the grain
        // for 3 s in a row: a collection of grains idle that long takes it.
        await Eventually.UntilAsync(
            async () =>
            {
                await management.ForceActivationCollection(TimeSpan.FromSeconds(3));
                var active = await management.GetDetailedGrainStatistics();
                return !active.Any(s => s.GrainId.Key.ToString() == clientId);
            },
            "the idle client's grain to be collected",
            TimeSpan.FromSeconds(60));

        Assert.Equal("heartbeat", (await sse.NextAsync()).EventType);
        var second = await client.PublishAsync(ClientEventTypes.FunctionResponse, "{\"n\":2}");
        Assert.Equal(first.Id + 1, second.Id);
        Assert.Equal(Id(second), (await sse.NextOfTypeAsync(ClientEventTypes.FunctionResponse)).EventId);
    }

    private static (IGrainFactory Grains, string SiloId) GrainsOf(InProcessSilo silo) =>
        (silo.Services.GetRequiredService<IGrainFactory>(), silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString());

    private static string Id(ClientEvent clientEvent) => clientEvent.Id.ToString(CultureInfo.InvariantCulture);
}
