using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>Function header values are never stored, returned or logged in clear.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class SecretsAtRestTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Header_values_are_encrypted_in_redis_yet_reach_the_function_from_every_silo()
    {
        const string secret = "Bearer very-secret-value-42";
        var name = "secret-" + Guid.NewGuid().ToString("N")[..8];
        using (var created = await cluster.A.PostAsJsonAsync("admin/functions", new
        {
            name,
            endpoint = cluster.Stub.Url("echo").ToString(),
            headers = new Dictionary<string, string> { ["Authorization"] = secret },
        }))
        {
            Assert.DoesNotContain(secret, await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Every value Redis holds, of every type, read raw.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.Address);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var database = redis.GetDatabase();
        var stored = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            stored.Add(key.ToString());
            switch (await database.KeyTypeAsync(key))
            {
                case RedisType.String:
                    stored.Add((await database.StringGetAsync(key)).ToString());
                    break;
                case RedisType.Hash:
                    stored.AddRange((await database.HashGetAllAsync(key)).Select(e => e.Name + "=" + e.Value));
                    break;
                case RedisType.List:
                    stored.AddRange((await database.ListRangeAsync(key)).Select(v => v.ToString()));
                    break;
                case RedisType.SortedSet:
                    stored.AddRange((await database.SortedSetRangeByRankAsync(key)).Select(v => v.ToString()));
                    break;
                case RedisType.Set:
                    stored.AddRange((await database.SetMembersAsync(key)).Select(v => v.ToString()));
                    break;
            }
        }

        Assert.Contains(stored, s => s.Contains(name, StringComparison.Ordinal)); // the function is there
        Assert.DoesNotContain(stored, s => s.Contains("very-secret-value-42", StringComparison.Ordinal));

        // Yet both silos' calls carry it (the function grain decrypts with the cluster's shared key ring).
        var admin = await cluster.B.GetFromJsonAsync<JsonElement>($"admin/functions/{name}");
        Assert.Equal("[redacted]", admin.GetProperty("headers").GetProperty("Authorization").GetString());
        using var request = new HttpRequestMessage(HttpMethod.Post, $"invoke/{name}") { Content = JsonContent.Create(new { payload = new { } }) };
        request.Headers.Add("X-Request-ID", "secret-call-" + name);
        using var invoked = await cluster.B.SendAsync(request);
        Assert.Equal(secret, cluster.Stub.Calls["secret-call-" + name].Headers["Authorization"]);
    }
}
