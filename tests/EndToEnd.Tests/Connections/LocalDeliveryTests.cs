using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using SseVirtualization.Clients;
using SseVirtualization.EndToEnd.Tests.Observability;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Connections;

/// <summary>A client grain on the silo holding its stream hands its events to the stream itself, not through the delivery channel.</summary>
public sealed class LocalDeliveryTests
{
    [Fact]
    public async Task Events_for_a_stream_on_the_client_grains_own_silo_arrive_without_activating_the_silos_channel_subscriber()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var silo = await InProcessSilo.StartAsync(ClusterFixture.SiloEnvironment(redis, "local-" + Guid.NewGuid().ToString("N")[..10]));
        var grains = silo.Services.GetRequiredService<IGrainFactory>();
        var clientId = "local-" + Guid.NewGuid().ToString("N");
        await using var sse = await SseClient.ConnectAsync(silo.BaseAddress, $"sse/{clientId}");
        await sse.NextOfTypeAsync("connected");

        var published = await grains.GetGrain<IClientGrain>(clientId).PublishAsync(ClientEventTypes.FunctionResponse, "{\"n\":1}");

        var received = await sse.NextOfTypeAsync(ClientEventTypes.FunctionResponse);
        Assert.Equal(published.Id.ToString(CultureInfo.InvariantCulture), received.EventId);
        var active = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        Assert.DoesNotContain(active, s => s.GrainType.Contains("SiloDeliveryGrain", StringComparison.Ordinal));
    }
}
