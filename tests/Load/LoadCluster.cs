using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// A Redis-backed cluster of silo processes for a scenario: unique cluster id, rate limits off (one address sends
/// everything), quiet logs, loopback functions allowed. Disposing stops the silos, then Redis.
/// </summary>
internal sealed class LoadCluster : IAsyncDisposable
{
    private readonly List<SiloProcess> _silos;
    private readonly List<SiloProcess> _retired = [];
    private readonly Dictionary<string, string?> _environment;

    private LoadCluster(RedisServer redis, string clusterId, Dictionary<string, string?> environment, SiloProcess[] silos)
    {
        Redis = redis;
        ClusterId = clusterId;
        _environment = environment;
        _silos = [.. silos];
    }

    public RedisServer Redis { get; }

    public string ClusterId { get; }

    /// <summary>The silos in service (a replaced one leaves this list).</summary>
    public IReadOnlyList<SiloProcess> Silos => _silos;

    /// <param name="prefix">Start of the cluster id (names client ids too).</param>
    /// <param name="silos">How many silos.</param>
    /// <param name="settings">Scenario-specific settings on top of the common ones.</param>
    /// <param name="redisDataDirectory">Where Redis keeps an append-only file (none: not persisted, lost on a restart).</param>
    public static async Task<LoadCluster> StartAsync(
        string prefix, int silos, IReadOnlyDictionary<string, string?>? settings = null, string? redisDataDirectory = null)
    {
        var clusterId = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        var redis = await RedisServer.StartAsync(redisDataDirectory);
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
            return new LoadCluster(redis, clusterId, environment, await Task.WhenAll(Enumerable.Range(0, silos).Select(_ => SiloProcess.StartAsync(environment))));
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>Puts a new silo in place of <paramref name="old"/> (killed, or gone by itself), as an orchestrator would.</summary>
    public async Task<SiloProcess> ReplaceAsync(SiloProcess old)
    {
        var replacement = await SiloProcess.StartAsync(_environment);
        _silos[_silos.IndexOf(old)] = replacement;
        _retired.Add(old);
        return replacement;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos.Concat(_retired))
        {
            await silo.DisposeAsync();
        }

        await Redis.DisposeAsync();
    }
}
