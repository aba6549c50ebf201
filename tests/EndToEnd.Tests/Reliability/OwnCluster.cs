using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>A Redis and silos of a test's own, for tests that stop, kill or starve them.</summary>
public sealed class OwnCluster : IAsyncDisposable
{
    private readonly List<SiloProcess> _silos = [];
    private readonly IReadOnlyDictionary<string, string?> _settings;

    private OwnCluster(RedisServer redis, string clusterId, IReadOnlyDictionary<string, string?>? settings)
    {
        Redis = redis;
        ClusterId = clusterId;
        _settings = settings ?? new Dictionary<string, string?>();
    }

    public RedisServer Redis { get; }

    public string ClusterId { get; }

    public IReadOnlyList<SiloProcess> Silos => _silos;

    /// <param name="silos">How many silos.</param>
    /// <param name="redisDataDirectory">Where Redis keeps its files (none: no persistence).</param>
    /// <param name="settings">Silo settings on top of the test cluster's (<see cref="ClusterFixture.SiloEnvironment"/>).</param>
    public static async Task<OwnCluster> StartAsync(int silos, string? redisDataDirectory = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var redis = await RedisServer.StartAsync(redisDataDirectory);
        var cluster = new OwnCluster(redis, "own-" + Guid.NewGuid().ToString("N")[..12], settings);
        try
        {
            var started = await Task.WhenAll(Enumerable.Range(0, silos).Select(_ => SiloProcess.StartAsync(cluster.Environment)));
            cluster._silos.AddRange(started);
            using var http = new HttpClient { BaseAddress = started[0].BaseAddress };
            await ClusterFixture.WaitForActiveSilosAsync(http, silos);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public Dictionary<string, string?> Environment
    {
        get
        {
            var environment = ClusterFixture.SiloEnvironment(Redis, ClusterId);
            foreach (var (key, value) in _settings)
            {
                environment[key] = value;
            }

            return environment;
        }
    }

    public static async Task<string> SiloIdOfAsync(SiloProcess silo)
    {
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        using var health = JsonDocument.Parse(await http.GetStringAsync("admin/health"));
        return health.RootElement.GetProperty("metrics").GetProperty("silo").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await Redis.DisposeAsync();
    }
}
