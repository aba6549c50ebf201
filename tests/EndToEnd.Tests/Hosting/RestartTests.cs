using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Hosting;

/// <summary>Starts and stops its own silos (on its own Redis), so it never disturbs the shared cluster.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Function_registry_and_undelivered_results_survive_a_full_restart_of_every_silo()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stub = await StubFunctionServer.StartAsync();
        var clusterId = "restart-" + Guid.NewGuid().ToString("N")[..12];
        var environment = ClusterFixture.SiloEnvironment(redis, clusterId);
        var name = "fn-" + Guid.NewGuid().ToString("N")[..10];
        var clientId = "client-" + Guid.NewGuid().ToString("N")[..10];
        string requestId;

        var before = await Task.WhenAll(SiloProcess.StartAsync(environment), SiloProcess.StartAsync(environment));
        try
        {
            using var http = new HttpClient { BaseAddress = before[0].BaseAddress };
            using var created = await http.PostAsJsonAsync("admin/functions", new { name, endpoint = stub.Url("echo").ToString(), timeout = "45s", description = "kept" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            using var invoked = await http.PostAsJsonAsync($"invoke/{name}", new { payload = new { kept = true }, client_id = clientId });
            requestId = (await invoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString()!;
        }
        finally
        {
            await Task.WhenAll(before.Select(s => s.StopAsync()));
            foreach (var silo in before)
            {
                await silo.DisposeAsync();
            }
        }

        var after = await Task.WhenAll(SiloProcess.StartAsync(environment), SiloProcess.StartAsync(environment));
        try
        {
            using var http = new HttpClient { BaseAddress = after[1].BaseAddress };
            var function = await http.GetFromJsonAsync<JsonElement>($"admin/functions/{name}");
            Assert.Equal("45s", function.GetProperty("timeout").GetString());
            Assert.Equal("kept", function.GetProperty("description").GetString());
            var list = await http.GetFromJsonAsync<JsonElement>("admin/functions");
            Assert.Equal(name, list.GetProperty("functions").EnumerateArray().Single().GetProperty("name").GetString());

            // The result made for a client that never connected waited in its grain, in Redis.
            await using var sse = await SseClient.ConnectAsync(after[0].BaseAddress, $"sse/{clientId}");
            var item = await sse.NextOfTypeAsync("function_response");
            Assert.Equal(requestId, JsonDocument.Parse(item.Data).RootElement.GetProperty("request_id").GetString());
        }
        finally
        {
            foreach (var silo in after)
            {
                await silo.DisposeAsync();
            }
        }
    }
}
