using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using SseVirtualization.Grains.Clients;
using SseVirtualization.Grains.Hosting;
using SseVirtualization.Streams;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Grains.Tests;

/// <summary>A two-silo TestingHost cluster and a stub function, shared by <see cref="GrainClusterCollectionDefinition"/>.</summary>
public sealed class GrainClusterFixture : IAsyncLifetime
{
    /// <summary>Small, so tests can see the log drop old events.</summary>
    public const int EventLogCapacity = 5;

    /// <summary>The smallest byte bound allowed, so a few events of tens of KB reach it.</summary>
    public const int MaxLogBytes = 64 * 1024;

    public TestCluster Cluster { get; private set; } = null!;

    public StubFunctionServer Stub { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>What client grains on each silo handed to that silo's connections directly, by silo id.</summary>
    public IReadOnlyList<RecordingLocalDelivery> LocalDeliveries =>
        [.. Cluster.Silos.Select(silo => ((InProcessSiloHandle)silo).SiloHost.Services.GetRequiredService<RecordingLocalDelivery>())];

    public async Task InitializeAsync()
    {
        Stub = await StubFunctionServer.StartAsync();
        var builder = new TestClusterBuilder(2);
        builder.Options.ClusterId = "grains-" + Guid.NewGuid().ToString("N")[..8];
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }

        if (Stub is not null)
        {
            await Stub.DisposeAsync();
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorage(StorageNames.Grains);
            siloBuilder.AddMemoryGrainStorage(StorageNames.McpSessions);
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.AddSseGrains();
            siloBuilder.Services.AddSingleton<RecordingLocalDelivery>();
            siloBuilder.Services.AddSingleton<ILocalDelivery>(provider => provider.GetRequiredService<RecordingLocalDelivery>());
            siloBuilder.Services.Configure<SseVirtualization.Grains.Functions.FunctionOptions>(o => o.AllowLoopback = true);
            siloBuilder.Services.Configure<ClientOptions>(o =>
            {
                o.EventLogCapacity = EventLogCapacity;
                o.LogSegmentSize = 2;
                o.RedriveCheckInterval = TimeSpan.FromMilliseconds(200);
                o.RedriveAfter = TimeSpan.Zero;
                o.MaxBatchEvents = 3;
                o.MaxLogBytes = MaxLogBytes;
            });
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GrainClusterCollectionDefinition : ICollectionFixture<GrainClusterFixture>
{
    public const string Name = "grain cluster";
}
