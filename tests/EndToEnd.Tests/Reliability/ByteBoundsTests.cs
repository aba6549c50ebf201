using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using SseVirtualization.Clients;
using SseVirtualization.TestInfrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>
/// #26 F3: large results sent to a stream that never reads, with the default byte bounds (Clients:MaxLogBytes,
/// Gateway:MaxQueuedBytesPerConnection). Before them, 370 results of 0.9 MB took Redis from 1 to 457 MiB and the silo
/// from 296 to 1,122 MiB.
/// </summary>
public sealed class ByteBoundsTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;
    private const long DefaultMaxLogBytes = 16 * MiB;
    private const long DefaultMaxQueuedBytesPerConnection = 16 * MiB;
    private const int Results = 200;
    private const int ResultChars = 900_000;

    [Fact]
    public async Task Large_results_to_a_stream_that_never_reads_stay_within_the_byte_bounds_and_a_resume_gets_a_gap_then_the_newest()
    {
        // The count bound as in production, so only the byte bounds can stop 200 results.
        await using var cluster = await OwnCluster.StartAsync(1, settings: new Dictionary<string, string?> { ["Clients__EventLogCapacity"] = "1000" });
        var silo = cluster.Silos[0];
        using var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.Address + ",allowAdmin=true");
        var clientId = "bytes-" + Guid.NewGuid().ToString("N")[..10];

        using var stalled = new TcpClient { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync("127.0.0.1", silo.HttpPort);
        await stalled.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"GET /sse/{clientId} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"));
        await Eventually.UntilAsync(async () => (await http.GetStringAsync("admin/connections")).Contains(clientId, StringComparison.Ordinal), "the stalled stream to be connected");

        var redisBefore = await UsedMemoryAsync(redis);
        var rssBefore = RssBytes(silo.Pid);
        long peakQueued = 0, peakRedis = 0, peakRss = 0;
        using (var host = await StartBackendClientAsync(cluster))
        {
            var grain = host.Services.GetRequiredService<IClusterClient>().GetGrain<IClientGrain>(clientId);
            for (var n = 1; n <= Results; n++)
            {
                await grain.PublishAsync(ClientEventTypes.FunctionResponse, Result(n));
                if (n % 5 == 0)
                {
                    peakQueued = Math.Max(peakQueued, await QueuedBytesAsync(http));
                    peakRedis = Math.Max(peakRedis, await UsedMemoryAsync(redis));
                    peakRss = Math.Max(peakRss, RssBytes(silo.Pid));
                }
            }

            await host.StopAsync();
        }

        var redisAfter = await UsedMemoryAsync(redis);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Results} results of {ResultChars / 1000} KB to a stream that never reads: Redis used_memory {redisBefore / MiB} -> peak {peakRedis / MiB}, after {redisAfter / MiB} MiB; " +
            $"silo RSS {rssBefore / MiB} -> peak {peakRss / MiB} MiB; peak queued {peakQueued / MiB} MiB (held in memory, two bytes per character)"));
        await Eventually.UntilAsync(async () => !(await http.GetStringAsync("admin/connections")).Contains(clientId, StringComparison.Ordinal), "the stalled stream to be dropped");

        // The queue never held more than its bound (two bytes per character in memory), and overflow dropped the stream.
        Assert.InRange(peakQueued, 0, DefaultMaxQueuedBytesPerConnection);
        Assert.Equal(0, await QueuedBytesAsync(http));
        using (var health = JsonDocument.Parse(await http.GetStringAsync("admin/health")))
        {
            Assert.True(health.RootElement.GetProperty("metrics").GetProperty("events_dropped").GetInt64() > 0);
        }

        // Redis holds the client's bounded log, not 180 MB of results; slack for Redis' own overhead.
        Assert.True(redisAfter - redisBefore < DefaultMaxLogBytes + (16 * MiB), $"Redis grew by {(redisAfter - redisBefore) / MiB} MiB");

        // A resume from an evicted id: a gap first, then every kept result in order up to the newest, once each.
        await using var resumed = await SseClient.ConnectAsync(silo.BaseAddress, $"sse/{clientId}", request => request.Headers.Add("Last-Event-ID", "5"));
        await resumed.NextOfTypeAsync(ClientEventTypes.Connected);
        var gapItem = await resumed.NextAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(ClientEventTypes.Gap, gapItem.EventType);
        using var gap = JsonDocument.Parse(gapItem.Data);
        Assert.Equal(5, gap.RootElement.GetProperty("requested_after").GetInt64());
        var oldest = gap.RootElement.GetProperty("oldest_available").GetInt64();
        Assert.InRange(oldest, 7, Results);
        long keptChars = 0;
        for (var id = oldest; id <= Results; id++)
        {
            var item = await resumed.NextOfTypeAsync(ClientEventTypes.FunctionResponse, TimeSpan.FromSeconds(60));
            Assert.Equal(id.ToString(CultureInfo.InvariantCulture), item.EventId);
            using var result = JsonDocument.Parse(item.Data);
            Assert.Equal(id, result.RootElement.GetProperty("n").GetInt64());
            keptChars += item.Data.Length;
        }

        Assert.InRange(keptChars, 1, DefaultMaxLogBytes);
        output.WriteLine($"resumed after 5: gap to {oldest}, then {Results - oldest + 1} results ({keptChars / MiB} MiB) up to {Results}");
    }

    private static string Result(int n) => $$"""{"n":{{n}},"filler":"{{new string('x', ResultChars)}}"}""";

    private static async Task<long> QueuedBytesAsync(HttpClient http)
    {
        using var health = JsonDocument.Parse(await http.GetStringAsync("admin/health"));
        return health.RootElement.GetProperty("metrics").GetProperty("queued_bytes").GetInt64();
    }

    private static async Task<long> UsedMemoryAsync(ConnectionMultiplexer redis)
    {
        var info = await redis.GetServer(redis.GetEndPoints()[0]).InfoAsync("memory");
        return long.Parse(info.SelectMany(g => g).First(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);
    }

    private static long RssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return 1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static async Task<IHost> StartBackendClientAsync(OwnCluster cluster)
    {
        var backend = Host.CreateApplicationBuilder();
        backend.Logging.SetMinimumLevel(LogLevel.Warning);
        backend.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ClusterId));
            client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.Redis.Address));
        });
        var host = backend.Build();
        await host.StartAsync();
        return host;
    }
}
