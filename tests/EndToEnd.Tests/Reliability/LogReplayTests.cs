using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>The shared cluster keeps 20 events per client (<see cref="ClusterFixture.SiloEnvironment"/>).</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class LogReplayTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Resuming_after_an_id_older_than_the_log_sends_a_gap_then_every_kept_event_once_in_order()
    {
        var clientId = "client-" + Guid.NewGuid().ToString("N")[..10];
        var function = await cluster.RegisterAsync("echo");
        for (var i = 1; i <= 25; i++)
        {
            using var response = await cluster.A.PostAsJsonAsync($"invoke/{function}", new { payload = new { i }, client_id = clientId });
            response.EnsureSuccessStatusCode();
        }

        // EventSource-style clients that cannot set headers resume with ?lastEventId=.
        await using var sse = await SseClient.ConnectAsync(cluster.SiloB.BaseAddress, $"sse/{clientId}?lastEventId=2");

        Assert.Equal("connected", (await sse.NextAsync()).EventType);
        var gap = await sse.NextAsync();
        Assert.Equal("gap", gap.EventType);
        Assert.Null(gap.EventId);
        var gapData = JsonDocument.Parse(gap.Data).RootElement;
        Assert.Equal(2, gapData.GetProperty("requested_after").GetInt64());
        Assert.Equal(6, gapData.GetProperty("oldest_available").GetInt64());
        for (var expected = 6; expected <= 25; expected++)
        {
            var item = await sse.NextOfTypeAsync("function_response");
            Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), item.EventId);
            Assert.Equal(expected, JsonDocument.Parse(item.Data).RootElement.GetProperty("data").GetProperty("payload").GetProperty("i").GetInt32());
        }

        // Then live events continue the sequence, with nothing replayed twice.
        using var live = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { i = 26 }, client_id = clientId });
        Assert.Equal("26", (await sse.NextOfTypeAsync("function_response")).EventId);
    }
}
