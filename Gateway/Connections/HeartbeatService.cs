using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SseVirtualization.Clients;
using SseVirtualization.Gateway.Hosting;

namespace SseVirtualization.Gateway.Connections;

/// <summary>One timer per silo that queues a heartbeat on every local connection (never a timer per connection).</summary>
internal sealed class HeartbeatService(LocalConnections connections, GatewayCounters counters, IOptions<GatewayOptions> options, TimeProvider time)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = time.GetUtcNow();
            var heartbeat = new OutgoingEvent(0, ClientEventTypes.Heartbeat,
                string.Create(CultureInfo.InvariantCulture, $$"""{"timestamp":{{now.ToUnixTimeSeconds()}}}"""));
            var sent = 0;
            foreach (var connection in connections.All)
            {
                if (connection.TryEnqueue(heartbeat))
                {
                    connection.LastPing = now;
                    sent++;
                }
            }

            counters.HeartbeatsQueued(sent);
        }
    }
}
