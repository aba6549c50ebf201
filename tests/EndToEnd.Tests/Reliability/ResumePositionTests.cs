using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SseVirtualization.Clients;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>
/// A stream gives its client a resume position before anything can be lost: a client whose stream drops before its
/// first result reconnects with a Last-Event-ID, as a browser's EventSource does, and is sent that result.
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class ResumePositionTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_first_result_sent_to_a_connection_that_died_unread_is_replayed_on_another_silo()
    {
        var clientId = "first-" + Guid.NewGuid().ToString("N")[..10];
        var function = await cluster.RegisterAsync("echo");

        // The first connection reads `connected` and nothing more: the server still counts it as open (half-open).
        using var deadHttp = new HttpClient { BaseAddress = cluster.SiloA.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var dead = await deadHttp.GetAsync($"sse/{clientId}", HttpCompletionOption.ResponseHeadersRead);
        var lastSeenId = await ReadConnectedIdAsync(dead);
        Assert.Equal("0", lastSeenId);

        // A second connection on the same silo only tells the test when the result has gone out to that silo.
        string requestId;
        await using (var witness = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}"))
        {
            await witness.NextOfTypeAsync("connected");
            using var accepted = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { n = 1 }, client_id = clientId, @async = true });
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            requestId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString()!;
            var live = await witness.NextOfTypeAsync("function_response");
            Assert.Equal(requestId, JsonDocument.Parse(live.Data).RootElement.GetProperty("request_id").GetString());
        }

        // The client reconnects elsewhere with the last id it saw, which is all a browser can send.
        await using var resumed = await SseClient.ConnectAsync(cluster.SiloB.BaseAddress, $"sse/{clientId}",
            r => r.Headers.Add("Last-Event-ID", lastSeenId));
        var connected = await resumed.NextOfTypeAsync("connected");
        Assert.Equal("0", connected.EventId);
        var replayed = await resumed.NextOfTypeAsync("function_response");
        Assert.Equal("1", replayed.EventId);
        Assert.Equal(requestId, JsonDocument.Parse(replayed.Data).RootElement.GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task The_connected_position_never_skips_what_the_stream_replays()
    {
        var clientId = "backlog-" + Guid.NewGuid().ToString("N")[..10];
        var function = await cluster.RegisterAsync("echo");
        for (var i = 0; i < 3; i++)
        {
            using var accepted = await cluster.A.PostAsJsonAsync($"invoke/{function}", new { payload = new { i }, client_id = clientId, @async = true });
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        // Results stored while the client had no stream: its first stream (no id) replays them after `connected`.
        using (var backend = await cluster.StartBackendClientAsync())
        {
            var grain = backend.Services.GetRequiredService<IClusterClient>().GetGrain<IClientGrain>(clientId);
            await Eventually.UntilAsync(async () => await grain.GetLastEventIdAsync() == 3, "the three results stored");
            await backend.StopAsync();
        }

        await using var first = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}");
        var connected = await first.NextOfTypeAsync("connected");
        Assert.Equal("0", connected.EventId);
        Assert.Equal("1", (await first.NextOfTypeAsync("function_response")).EventId);

        // Dropped after one result, resumed from it: the other two, once each.
        await using var second = await SseClient.ConnectAsync(cluster.SiloB.BaseAddress, $"sse/{clientId}", r => r.Headers.Add("Last-Event-ID", "1"));
        Assert.Equal("1", (await second.NextOfTypeAsync("connected")).EventId);
        Assert.Equal("2", (await second.NextOfTypeAsync("function_response")).EventId);
        Assert.Equal("3", (await second.NextOfTypeAsync("function_response")).EventId);

        // A page opened afresh (no id) is sent nothing old, and its position is the newest id.
        await using var fresh = await SseClient.ConnectAsync(cluster.SiloB.BaseAddress, $"sse/{clientId}");
        Assert.Equal("3", (await fresh.NextOfTypeAsync("connected")).EventId);
    }

    /// <summary>Reads the stream's first frame, which must be `connected`, and returns its id.</summary>
    private static async Task<string?> ReadConnectedIdAsync(HttpResponseMessage response)
    {
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? type = null, id = null;
        string? line;
        while ((line = await reader.ReadLineAsync(deadline.Token)) is { Length: > 0 })
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line["id: ".Length..];
            }
        }

        Assert.Equal("connected", type);
        return id;
    }
}
