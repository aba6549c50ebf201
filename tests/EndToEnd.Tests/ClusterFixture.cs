using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests;

/// <summary>
/// One Redis, one stub function and two silo processes forming one cluster, shared by the tests of
/// <see cref="ClusterCollection"/>.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;

    public StubFunctionServer Stub { get; private set; } = null!;

    public SiloProcess SiloA { get; private set; } = null!;

    public SiloProcess SiloB { get; private set; } = null!;

    public string ClusterId { get; } = "e2e-" + Guid.NewGuid().ToString("N")[..12];

    public HttpClient A { get; private set; } = null!;

    public HttpClient B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        Stub = await StubFunctionServer.StartAsync();
        var silos = await Task.WhenAll(StartSiloAsync(), StartSiloAsync());
        (SiloA, SiloB) = (silos[0], silos[1]);
        A = new HttpClient { BaseAddress = SiloA.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        B = new HttpClient { BaseAddress = SiloB.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await WaitForActiveSilosAsync(A, 2);
        await WaitForActiveSilosAsync(B, 2);
    }

    public Task<SiloProcess> StartSiloAsync() => SiloProcess.StartAsync(SiloEnvironment(Redis, ClusterId));

    public static Dictionary<string, string?> SiloEnvironment(RedisServer redis, string clusterId) => new()
    {
        ["REDIS_ADDR"] = redis.Address,
        ["CLUSTER_ID"] = clusterId,
        ["SERVICE_ID"] = clusterId,
        ["Gateway__HeartbeatInterval"] = "00:00:01",
        // The stub functions listen on loopback, which a Redis-backed silo refuses by default.
        ["Functions__AllowLoopback"] = "true",
        ["Clients__EventLogCapacity"] = "20",
        ["Clients__LogSegmentSize"] = "8",
        ["Clients__MaxBatchEvents"] = "7", // replays of more than 7 events go page by page
        ["Clients__RedriveCheckInterval"] = "00:00:01",
        ["Clients__RedriveAfter"] = "00:00:02",
        ["Clients__DeliveryAuditDelay"] = "00:00:02",
        // Notice a killed silo within seconds, not Orleans' production defaults.
        ["Membership__ProbeTimeout"] = "00:00:01",
        ["Membership__NumMissedProbesLimit"] = "2",
        ["Membership__NumVotesForDeathDeclaration"] = "1",
        ["Membership__IAmAliveTablePublishTimeout"] = "00:00:02",
    };

    /// <summary>Waits until <paramref name="silo"/> sees <paramref name="count"/> active silos in its cluster view.</summary>
    public static Task WaitForActiveSilosAsync(HttpClient silo, int count) =>
        Eventually.UntilAsync(
            async () =>
            {
                using var health = JsonDocument.Parse(await silo.GetStringAsync("admin/health"));
                return health.RootElement.GetProperty("cluster").EnumerateArray()
                    .Count(s => s.GetProperty("status").GetString() == "active") == count;
            },
            $"{count} active silos",
            TimeSpan.FromSeconds(90));

    /// <summary>Registers a function on the stub under a fresh name and returns the name.</summary>
    public async Task<string> RegisterAsync(string stubPath, string? timeout = null, HttpClient? via = null)
    {
        var name = "fn-" + Guid.NewGuid().ToString("N")[..10];
        var body = new Dictionary<string, object?>
        {
            ["name"] = name,
            ["endpoint"] = Stub.Url(stubPath).ToString(),
            ["timeout"] = timeout ?? "20s",
            ["headers"] = new Dictionary<string, string> { ["Authorization"] = "Bearer stub-secret" },
        };
        using var response = await (via ?? A).PostAsJsonAsync("admin/functions", body);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return name;
    }

    /// <summary>Registers a function from a full registration body (a fresh name is added); returns the name.</summary>
    public async Task<string> RegisterAsync(Dictionary<string, object?> body)
    {
        var name = "fn-" + Guid.NewGuid().ToString("N")[..10];
        body["name"] = name;
        using var response = await A.PostAsJsonAsync("admin/functions", body);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return name;
    }

    /// <summary>
    /// A backend service's view of the cluster: an Orleans client built from the contract, Microsoft.Orleans.Client
    /// and Redis clustering only. Stop it when done.
    /// </summary>
    public async Task<IHost> StartBackendClientAsync()
    {
        var backend = Host.CreateApplicationBuilder();
        backend.Logging.SetMinimumLevel(LogLevel.Warning);
        backend.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ClusterId));
            client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(Redis.Address));
        });
        var host = backend.Build();
        await host.StartAsync();
        return host;
    }

    public async Task DisposeAsync()
    {
        A?.Dispose();
        B?.Dispose();
        foreach (var silo in new[] { SiloA, SiloB })
        {
            if (silo is not null)
            {
                await silo.DisposeAsync();
            }
        }
        if (Stub is not null)
        {
            await Stub.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollectionDefinition : ICollectionFixture<ClusterFixture>
{
    public const string Name = "two-silo cluster";
}
