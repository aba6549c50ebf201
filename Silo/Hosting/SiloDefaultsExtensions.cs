using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using SseVirtualization.Gateway.Admin;
using SseVirtualization.Gateway.Connections;
using SseVirtualization.Grains.Functions;
using SseVirtualization.Grains.Hosting;
using SseVirtualization.Grains.Mcp;
using SseVirtualization.Streams;
using StackExchange.Redis;

namespace SseVirtualization.Silo.Hosting;

/// <summary>The silo's composition: Orleans with Redis or embedded defaults, Kestrel on the configured port.</summary>
internal static class SiloDefaultsExtensions
{
    public static WebApplicationBuilder AddSiloDefaults(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.Get<SiloHostingOptions>() ?? new SiloHostingOptions();
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new InvalidOperationException("Invalid silo configuration: " + string.Join(" ", failures));
        }

        if (!options.UsesRedis)
        {
            // Derived defaults, not a configuration source: a configured value still wins (samples: MapSampleFunctions).
            builder.Services.AddSingleton<IPostConfigureOptions<FunctionOptions>, EmbeddedFunctionDefaults>();
        }

        builder.Services.AddSectionOwners();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(options.BindAddress), options.HttpPort, listen =>
            {
                listen.UseDeadPeerDetection();
                if (options.UsesHttps)
                {
                    TransportSecurity.UseHttps(listen, TransportSecurity.LoadPem(options.TlsCertPath!, options.TlsKeyPath!));
                }
            });
            // A client that trickles its headers is cut off (slow-header attacks); the SSE stream itself, once
            // open, is long-lived by design and not subject to this.
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.MaxConcurrentConnections = options.MaxConnections;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
        });
        // The drain deadline: hosted services (the front end's drain, then Orleans) get a token cancelled after it, and
        // Orleans then cuts its graceful leave to an ungraceful one.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        builder.WebHost.UseSockets(sockets => sockets.Backlog = options.ListenBacklog);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });

            if (options.UsesRedis)
            {
                var redis = RedisConfiguration(options);
                if (options.KubernetesHosting)
                {
                    // Pod name, namespace and IP from the downward API (deploy/kubernetes/base/silo.yaml).
                    silo.UseKubernetesHosting();
                }
                else
                {
                    silo.ConfigureEndpoints(options.ResolveAdvertisedAddress()!, options.SiloPort, options.GatewayPort, options.ListensOnAnyAddress);
                }

                silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
                var clusterCertificate = string.IsNullOrWhiteSpace(options.ClusterTlsCertPath)
                    ? null
                    : TransportSecurity.LoadPem(options.ClusterTlsCertPath, options.ClusterTlsKeyPath!);
                if (clusterCertificate is not null)
                {
                    TransportSecurity.UseClusterTls(silo, clusterCertificate);
                }

                // DeleteStateOnClear: a cleared record (deleted function, trimmed log segment) is removed, not kept empty.
                silo.AddRedisGrainStorage(StorageNames.Grains, o => (o.ConfigurationOptions, o.DeleteStateOnClear) = (redis, true));
                silo.AddRedisGrainStorage(StorageNames.PubSub, o => (o.ConfigurationOptions, o.DeleteStateOnClear) = (redis, true));
                var sessionIdle = builder.Configuration.GetValue<TimeSpan?>("Mcp:SessionIdleTimeout") ?? new McpSessionOptions().SessionIdleTimeout;
                silo.AddRedisGrainStorage(StorageNames.McpSessions, o => (o.ConfigurationOptions, o.DeleteStateOnClear, o.EntryExpiry) = (redis, true, sessionIdle));
                silo.UseRedisReminderService(o => o.ConfigurationOptions = redis);
                silo.Services.AddSingleton<IClusterStorageProbe>(_ => new RedisStorageProbe(redis));

                // Every silo must read what another encrypted (function secrets): one key ring, in Redis.
                var keyRing = new Lazy<IConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(redis));
                var dataProtection = builder.Services.AddDataProtection()
                    .SetApplicationName("sse-virtualization/" + options.ServiceId)
                    .PersistKeysToStackExchangeRedis(() => keyRing.Value.GetDatabase(), options.ServiceId + ":data-protection-keys");
                if (clusterCertificate is not null)
                {
                    // The key ring itself is then encrypted in Redis: reading Redis alone no longer reveals the secrets.
                    dataProtection.ProtectKeysWithCertificate(clusterCertificate).UnprotectKeysWithAnyCertificate(clusterCertificate);
                }
            }
            else
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
                silo.AddMemoryGrainStorage(StorageNames.Grains);
                silo.AddMemoryGrainStorage(StorageNames.PubSub);
                silo.AddMemoryGrainStorage(StorageNames.McpSessions);
                silo.UseInMemoryReminderService();
            }

            // Failure detection can be tuned (e.g. Membership__ProbeTimeout); Orleans' defaults otherwise.
            silo.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Membership"));

            // Orleans sizes its two grain-location caches for their capacity up front (1,000,000 each: 9.3 MB of bucket
            // array, touched page by page as they fill, ~0.9 KiB of RSS per stream at 10,000 streams). 100,000 is five times
            // the streams one silo can hold; a location that falls out costs one directory lookup.
            silo.Configure<GrainDirectoryOptions>(directory => directory.CacheSize = 100_000);
            silo.Configure<GrainDirectoryOptions>(builder.Configuration.GetSection("GrainDirectory"));

            // No Orleans streams of our own (MCP messages are pushed; client events go on a broadcast channel), but the
            // streams' pub-sub stays: silos of releases before 2026-12-05 place their MCP streams' pub-sub grains on any
            // silo during a rolling upgrade, and fail to start when this one cannot activate them. It runs no timers.
            silo.AddStreaming();
            silo.AddSseGrains();
            silo.AddActivityPropagation();
            silo.AddOutgoingGrainCallFilter<TraceContextGrainCallFilter>();
            silo.AddDashboard();
        });
        builder.AddSiloObservability();

        builder.Services.AddSingleton(new StorageModeAnnouncement(options.UsesRedis, options.RedisAddress));
        builder.Services.AddHostedService<StorageModeAnnouncer>();
        return builder;
    }

    private static ConfigurationOptions RedisConfiguration(SiloHostingOptions options)
    {
        var redis = ConfigurationOptions.Parse(options.RedisAddress!);
        if (!string.IsNullOrEmpty(options.RedisPassword))
        {
            redis.Password = options.RedisPassword;
        }

        redis.AbortOnConnectFail = false;
        if (!string.IsNullOrWhiteSpace(options.RedisTlsCaPath))
        {
            redis.Ssl = true;
            TransportSecurity.TrustRedisCa(redis, options.RedisTlsCaPath);
        }

        return redis;
    }
}
