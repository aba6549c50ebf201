using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Admin;

[Collection(ClusterCollectionDefinition.Name)]
public sealed class AdminTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Connections_lists_the_connections_of_every_silo_with_counts_per_silo()
    {
        var clientId = "client-" + Guid.NewGuid().ToString("N")[..10];
        await using var onA = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}?tab=1");
        await using var onB = await SseClient.ConnectAsync(cluster.SiloB.BaseAddress, $"sse/{clientId}?tab=2");
        var siloA = JsonDocument.Parse((await onA.NextOfTypeAsync("connected")).Data).RootElement.GetProperty("silo").GetString()!;
        var siloB = JsonDocument.Parse((await onB.NextOfTypeAsync("connected")).Data).RootElement.GetProperty("silo").GetString()!;
        Assert.NotEqual(siloA, siloB);

        var listing = await cluster.A.GetFromJsonAsync<JsonElement>("admin/connections");

        var mine = listing.GetProperty("connections").EnumerateArray().Where(c => c.GetProperty("client_id").GetString() == clientId).ToList();
        Assert.Equal(2, mine.Count);
        Assert.Equal(new[] { siloA, siloB }.Order(), mine.Select(c => c.GetProperty("silo").GetString()!).Order());
        Assert.Contains(mine, c => c.GetProperty("metadata").GetProperty("tab").GetString() == "2");
        var perSilo = listing.GetProperty("stats").GetProperty("connections_per_silo");
        Assert.True(perSilo.GetProperty(siloA).GetInt32() >= 1);
        Assert.True(perSilo.GetProperty(siloB).GetInt32() >= 1);
        Assert.Equal(listing.GetProperty("connections").GetArrayLength(), listing.GetProperty("stats").GetProperty("total_connections").GetInt32());
    }

    [Fact]
    public async Task Health_reports_measured_redis_cluster_and_connection_figures()
    {
        var clientId = "client-" + Guid.NewGuid().ToString("N")[..10];
        await using var sse = await SseClient.ConnectAsync(cluster.SiloB.BaseAddress, $"sse/{clientId}");
        await sse.NextOfTypeAsync("connected");

        var health = await cluster.A.GetFromJsonAsync<JsonElement>("admin/health");

        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.True(health.GetProperty("redis_connected").GetBoolean());
        Assert.Equal("redis", health.GetProperty("storage").GetString());
        Assert.True(health.GetProperty("active_connections").GetInt32() >= 1);
        Assert.True(health.GetProperty("registered_functions").GetInt32() >= 0);
        Assert.True(health.GetProperty("uptime_seconds").GetDouble() >= 0);
        Assert.False(string.IsNullOrEmpty(health.GetProperty("uptime").GetString()));
        Assert.Equal(JsonValueKind.Object, health.GetProperty("metrics").ValueKind);
        var silos = health.GetProperty("cluster").EnumerateArray().ToList();
        Assert.Equal(2, silos.Count(s => s.GetProperty("status").GetString() == "active"));
        Assert.Single(silos, s => s.GetProperty("self").GetBoolean());
    }

    [Theory]
    [InlineData("sse/some-client", "GET")]
    public async Task Browser_preflight_is_answered_for_streams(string path, string method)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", "http://app.example");
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "content-type,last-event-id");

        using var response = await cluster.B.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode, $"preflight answered {(int)response.StatusCode}");
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains(method, string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
    }
}
