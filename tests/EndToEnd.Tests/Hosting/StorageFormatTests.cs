using StackExchange.Redis;

namespace SseVirtualization.EndToEnd.Tests.Hosting;

/// <summary>
/// The silo as shipped stores grain state in Orleans' binary format (reading it back after a restart is RestartTests').
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class StorageFormatTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_registered_function_is_stored_in_binary_not_json()
    {
        var name = await cluster.RegisterAsync("echo", via: cluster.A);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.Address);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var keys = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: $"*/state/function/{name}/function"))
        {
            keys.Add(key);
        }

        var stored = (byte[]?)await redis.GetDatabase().HashGetAsync(Assert.Single(keys), "data");
        Assert.NotNull(stored);
        Assert.NotEqual((byte)'{', stored[0]); // Orleans' default would be a JSON object
    }
}
