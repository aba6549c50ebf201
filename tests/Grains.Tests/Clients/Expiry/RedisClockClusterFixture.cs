using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using SseVirtualization.Grains.Clients;
using SseVirtualization.Grains.Hosting;
using SseVirtualization.TestInfrastructure;
using StackExchange.Redis;

namespace SseVirtualization.Grains.Tests.Clients.Expiry;

/// <summary>
/// A one-silo cluster storing grain state and reminders in a real Redis, as a deployed silo does, with a fake clock the
/// tests move forward: what the age bound deletes is read back from Redis itself.
/// </summary>
public sealed class RedisClockClusterFixture : IAsyncLifetime
{
    public const int LogSegmentSize = 2;

    public static readonly TimeSpan MaxEventAge = TimeSpan.FromHours(24);

    public static readonly TimeSpan ExpirySweepInterval = TimeSpan.FromHours(1);

    private const string RedisAddressKey = "RetentionTests:Redis";

    private RedisServer? _redis;
    private ConnectionMultiplexer? _connection;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public IServiceProvider SiloServices => ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services;

    /// <summary>The silo's clock: every client grain reads its time from here.</summary>
    public FakeTimeProvider Clock => (FakeTimeProvider)SiloServices.GetRequiredService<TimeProvider>();

    public IDatabase Redis => _connection!.GetDatabase();

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.Address);
        var builder = new TestClusterBuilder(1);
        builder.Options.ClusterId = "retention-" + Guid.NewGuid().ToString("N")[..8];
        builder.Properties[RedisAddressKey] = _redis.Address;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>The Redis keys holding anything of <paramref name="clientId"/>'s grain (its record and log segments).</summary>
    public async Task<List<string>> KeysOfAsync(string clientId)
    {
        var server = _connection!.GetServer(_redis!.Address);
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: $"*/state/client/{clientId}/*"))
        {
            keys.Add(key.ToString());
        }

        return keys;
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var redis = ConfigurationOptions.Parse(siloBuilder.Configuration[RedisAddressKey]!);
            siloBuilder.AddRedisGrainStorage(StorageNames.Grains, o => (o.ConfigurationOptions, o.DeleteStateOnClear) = (redis, true));
            siloBuilder.UseRedisReminderService(o => o.ConfigurationOptions = redis);
            siloBuilder.Services.RemoveAll<TimeProvider>();
            siloBuilder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow));
            siloBuilder.AddSseGrains();
            siloBuilder.Services.Configure<ClientOptions>(o =>
            {
                o.LogSegmentSize = LogSegmentSize;
                o.MaxEventAge = MaxEventAge;
                o.ExpirySweepInterval = ExpirySweepInterval;
                // Grain timers run on the fake clock too: the re-drive timer must not settle (as abandoned) the pending
                // invocation a test leaves in a log when the clock jumps a day.
                o.RedriveCheckInterval = TimeSpan.FromDays(30);
            });
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisClockClusterCollectionDefinition : ICollectionFixture<RedisClockClusterFixture>
{
    public const string Name = "redis cluster with a fake clock";
}
