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

[Collection(ClusterCollectionDefinition.Name)]
public sealed class SlowConsumerTests(ClusterFixture cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task A_client_that_stops_reading_is_disconnected_when_its_queue_fills_and_others_keep_receiving()
    {
        var slowId = "slow-" + Guid.NewGuid().ToString("N")[..10];
        var goodId = "good-" + Guid.NewGuid().ToString("N")[..10];
        using var slow = new TcpClient { ReceiveBufferSize = 4096 };
        await slow.ConnectAsync("127.0.0.1", cluster.SiloA.HttpPort);
        await slow.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"GET /sse/{slowId} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"));
        await using var good = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{goodId}");
        await good.NextOfTypeAsync("connected");
        await Eventually.UntilAsync(async () => (await cluster.A.GetStringAsync("admin/connections")).Contains(slowId, StringComparison.Ordinal), "the slow client to be connected");

        using var host = await cluster.StartBackendClientAsync();
        var grains = host.Services.GetRequiredService<IClusterClient>();
        var payload = JsonSerializer.Serialize(new { filler = new string('x', 1000) });
        long peakRssKb = 0;
        for (var i = 1; i <= 10_000; i++)
        {
            await grains.GetGrain<IClientGrain>(slowId).PublishAsync(ClientEventTypes.FunctionResponse, payload);
            if (i % 100 == 0)
            {
                await grains.GetGrain<IClientGrain>(goodId).PublishAsync(ClientEventTypes.FunctionResponse, $$"""{"n":{{i / 100}}}""");
                peakRssKb = Math.Max(peakRssKb, RssKb(cluster.SiloA.Pid));
            }
        }

        for (var n = 1; n <= 100; n++)
        {
            var item = await good.NextOfTypeAsync("function_response");
            Assert.Equal(n, JsonDocument.Parse(item.Data).RootElement.GetProperty("n").GetInt32());
        }

        await Eventually.UntilAsync(async () => !(await cluster.A.GetStringAsync("admin/connections")).Contains(slowId, StringComparison.Ordinal), "the slow client to be disconnected");
        var health = JsonDocument.Parse(await cluster.A.GetStringAsync("admin/health")).RootElement;
        Assert.True(health.GetProperty("metrics").GetProperty("events_dropped").GetInt64() > 0);
        output.WriteLine($"silo A peak RSS while 10,000 x 1 KB events went to a client that never reads: {peakRssKb / 1024} MiB");
        await host.StopAsync();
    }

    private static long RssKb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
