using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

public sealed class RedisRestartTests
{
    [Fact]
    public async Task While_redis_is_down_streams_keep_their_heartbeats_storage_requests_get_503_and_service_resumes_with_nothing_lost()
    {
        var data = Directory.CreateTempSubdirectory("sse-redis-").FullName;
        try
        {
            await using var stub = await StubFunctionServer.StartAsync();
            await using var cluster = await OwnCluster.StartAsync(silos: 1, redisDataDirectory: data);
            using var http = new HttpClient { BaseAddress = cluster.Silos[0].BaseAddress };
            using (var created = await http.PostAsJsonAsync("admin/functions", new { name = "kept", endpoint = stub.Url("echo").ToString() }))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            await using var sse = await SseClient.ConnectAsync(cluster.Silos[0].BaseAddress, "sse/through-outage");
            await sse.NextOfTypeAsync("connected");

            await cluster.Redis.StopAsync();

            await Eventually.UntilAsync(async () =>
            {
                using var ready = await http.GetAsync("health/ready");
                return ready.StatusCode == HttpStatusCode.ServiceUnavailable;
            }, "readiness to fail while Redis is down");
            using (var live = await http.GetAsync("health/live"))
            {
                Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            }

            await sse.NextOfTypeAsync("heartbeat");
            await sse.NextOfTypeAsync("heartbeat");
            await Eventually.UntilAsync(async () =>
            {
                using var refused = await http.PostAsJsonAsync("admin/functions", new { name = "during-outage", endpoint = stub.Url("echo").ToString() });
                if (refused.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    return false;
                }

                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                return true;
            }, "a storage request to be refused with 503");

            await cluster.Redis.RestartAsync();
            await Eventually.UntilAsync(async () =>
            {
                using var ready = await http.GetAsync("health/ready");
                return ready.StatusCode == HttpStatusCode.OK;
            }, "readiness to return with Redis", TimeSpan.FromSeconds(60));

            await Eventually.UntilAsync(async () =>
            {
                using var invoked = await http.PostAsJsonAsync("invoke/kept", new { payload = new { back = true }, client_id = "through-outage", @async = true });
                return invoked.StatusCode == HttpStatusCode.Accepted;
            }, "service to resume", TimeSpan.FromSeconds(60));
            var result = await sse.NextOfTypeAsync("function_response");
            Assert.True(JsonDocument.Parse(result.Data).RootElement.GetProperty("data").GetProperty("payload").GetProperty("back").GetBoolean());
            var function = await http.GetFromJsonAsync<JsonElement>("admin/functions/kept");
            Assert.Equal("kept", function.GetProperty("name").GetString());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
