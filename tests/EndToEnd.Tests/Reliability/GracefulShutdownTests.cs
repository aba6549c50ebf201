using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Sigterm_tells_clients_to_reconnect_and_an_invocation_in_flight_still_reaches_its_client_once()
    {
        await using var stub = await StubFunctionServer.StartAsync();
        await using var cluster = await OwnCluster.StartAsync(silos: 2);
        var (leaving, staying) = (cluster.Silos[0], cluster.Silos[1]);
        using var http = new HttpClient { BaseAddress = staying.BaseAddress };
        using (var created = await http.PostAsJsonAsync("admin/functions", new { name = "slow", endpoint = stub.Url("slow/1500").ToString() }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await using var sse = await SseClient.ConnectAsync(leaving.BaseAddress, "sse/mover");
        await sse.NextOfTypeAsync("connected");
        var requestIds = new List<string>();
        foreach (var via in new[] { leaving, staying })
        {
            using var caller = new HttpClient { BaseAddress = via.BaseAddress };
            using var accepted = await caller.PostAsJsonAsync("invoke/slow", new { payload = new { }, client_id = "mover", @async = true });
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            requestIds.Add((await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString()!);
        }

        var stopping = leaving.StopAsync();
        var farewell = await sse.NextOfTypeAsync("reconnect");
        Assert.Null(farewell.EventId);
        Assert.Equal("silo shutting down", JsonDocument.Parse(farewell.Data).RootElement.GetProperty("reason").GetString());
        await stopping;

        // The client moves to the other silo, resuming after the last id it saw (none yet).
        await using var moved = await SseClient.ConnectAsync(staying.BaseAddress, "sse/mover", r => r.Headers.Add("Last-Event-ID", "0"));
        var received = new List<string>();
        while (received.Count < requestIds.Count)
        {
            var item = await moved.NextOfTypeAsync("function_response", TimeSpan.FromSeconds(60));
            received.Add(JsonDocument.Parse(item.Data).RootElement.GetProperty("request_id").GetString()!);
        }

        Assert.Equal(requestIds.Order(), received.Order());

        // A later result arrives next: no second copy of either came in between.
        using (var marker = await http.PostAsJsonAsync("invoke/slow", new { payload = new { }, client_id = "mover" }))
        {
            var markerId = (await marker.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString();
            var next = await moved.NextOfTypeAsync("function_response");
            Assert.Equal(markerId, JsonDocument.Parse(next.Data).RootElement.GetProperty("request_id").GetString());
        }
    }
}
