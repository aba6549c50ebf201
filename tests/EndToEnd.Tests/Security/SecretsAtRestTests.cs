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

        var stored = await StoredValuesAsync();
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

    [Fact]
    public async Task A_key_in_the_endpoint_query_is_encrypted_in_redis_redacted_by_the_admin_api_unlogged_yet_sent()
    {
        // Azure Functions' function keys travel as ?code=...; nothing else should ever show one.
        const string secret = "azure-key-0123456789";
        var name = "query-" + Guid.NewGuid().ToString("N")[..8];
        var endpoint = cluster.Stub.Url("echo") + "?code=" + secret + "&region=west";
        using var created = await cluster.A.PostAsJsonAsync("admin/functions", new { name, endpoint });
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);

        var answers = new[]
        {
            await created.Content.ReadAsStringAsync(),
            await cluster.B.GetStringAsync($"admin/functions/{name}"),
            await cluster.A.GetStringAsync("admin/functions"),
        };
        foreach (var answer in answers)
        {
            Assert.DoesNotContain(secret, answer, StringComparison.Ordinal);
        }

        var shown = JsonDocument.Parse(answers[1]).RootElement;
        var redacted = cluster.Stub.Url("echo") + "?code=[redacted]&region=[redacted]";
        Assert.Equal(redacted, shown.GetProperty("endpoint").GetString());
        Assert.Equal(redacted, shown.GetProperty("endpoints")[0].GetString());
        Assert.Equal(redacted, shown.GetProperty("health")[0].GetProperty("endpoint").GetString());

        var stored = await StoredValuesAsync();
        Assert.Contains(stored, s => s.Contains(name, StringComparison.Ordinal));
        Assert.DoesNotContain(stored, s => s.Contains(secret, StringComparison.Ordinal));

        // The function is still called with the real query string, from either silo.
        foreach (var (silo, id) in new[] { (cluster.A, "query-a-" + name), (cluster.B, "query-b-" + name) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"invoke/{name}") { Content = JsonContent.Create(new { payload = new { } }) };
            request.Headers.Add("X-Request-ID", id);
            using var invoked = await silo.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.OK, invoked.StatusCode);
            Assert.Equal("?code=" + secret + "&region=west", cluster.Stub.Calls[id].Query);
        }

        Assert.DoesNotContain(secret, cluster.SiloA.RecentOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, cluster.SiloB.RecentOutput, StringComparison.Ordinal);
    }

    /// <summary>Every key and value Redis holds, of every type, read raw.</summary>
    private async Task<List<string>> StoredValuesAsync()
    {
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

        return stored;
    }
}
