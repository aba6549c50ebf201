using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseVirtualization.Clients;
using SseVirtualization.Gateway.Hosting;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// One timer per silo that queues a heartbeat on every local connection once per interval (never a timer per
/// connection). The round is spread over the interval in <see cref="Slices"/> steps, each beating one slice of the
/// connections: writing to every socket at the same instant needs a send buffer for each at once, and Kestrel's
/// memory pool keeps those buffers afterwards (about 4 KiB per connection).
/// </summary>
internal sealed partial class HeartbeatService(
    LocalConnections connections, GatewayCounters counters, IOptions<GatewayOptions> options, TimeProvider time, ILogger<HeartbeatService> logger)
    : BackgroundService
{
    internal const int Slices = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval / Slices, time);
        var slice = 0;
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                Beat(slice);
                slice = (slice + 1) % Slices;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A failed beat must not end the service (and with it the host).
                LogBeatFailed(logger, ex);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Beat(int slice)
    {
        var now = time.GetUtcNow();
        var heartbeat = new OutgoingEvent(0, ClientEventTypes.Heartbeat,
            string.Create(CultureInfo.InvariantCulture, $$"""{"timestamp":{{now.ToUnixTimeSeconds()}}}"""));
        var sent = 0;
        foreach (var connection in connections.All)
        {
            if (connection.Sequence % Slices == slice && connection.TryEnqueue(heartbeat))
            {
                connection.LastPing = now;
                sent++;
            }
        }

        counters.HeartbeatsQueued(sent);
    }

    [LoggerMessage(EventId = 2400, Level = LogLevel.Error, Message = "A heartbeat round failed")]
    private static partial void LogBeatFailed(ILogger logger, Exception exception);
}
