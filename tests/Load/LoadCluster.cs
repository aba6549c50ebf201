using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// A Redis-backed cluster of silo processes for a scenario: unique cluster id, rate limits off (one address sends
/// everything), quiet logs, loopback functions allowed. Disposing stops the silos, then Redis.
/// </summary>
internal sealed class LoadCluster : IAsyncDisposable
{
    private LoadCluster(RedisServer redis, string clusterId, SiloProcess[] silos)
    {
        Redis = redis;
        ClusterId = clusterId;
        Silos = silos;
    }

    public RedisServer Redis { get; }

    public string ClusterId { get; }

    public IReadOnlyList<SiloProcess> Silos { get; }

    /// <param name="prefix">Start of the cluster id (names client ids too).</param>
    /// <param name="silos">How many silos.</param>
    /// <param name="settings">Scenario-specific settings on top of the common ones.</param>
    public static async Task<LoadCluster> StartAsync(string prefix, int silos, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var clusterId = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        var redis = await RedisServer.StartAsync();
        var environment = new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = redis.Address,
            ["CLUSTER_ID"] = clusterId,
            ["SERVICE_ID"] = clusterId,
            ["Functions__AllowLoopback"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Security__RateLimits__InvocationsPerSecond"] = "0",
            ["Security__RateLimits__ConnectionsPerSecond"] = "0",
            ["Gateway__MaxConnectionsPerCaller"] = "0", // thousands of streams from each of a few loopback addresses
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        try
        {
            return new LoadCluster(redis, clusterId, await Task.WhenAll(Enumerable.Range(0, silos).Select(_ => SiloProcess.StartAsync(environment))));
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            await silo.DisposeAsync();
        }

        await Redis.DisposeAsync();
    }
}
