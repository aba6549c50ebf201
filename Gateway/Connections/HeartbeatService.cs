using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseVirtualization.Clients;
using SseVirtualization.Gateway.Hosting;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// One timer per silo that queues a heartbeat on every local connection once per interval (never a timer per
/// connection). The round is spread over the interval in up to <see cref="TicksPerRound"/> steps, each beating the next
/// share of the connections found when the round began: every heartbeat written needs a send buffer from Kestrel's
/// memory pool until the socket has taken it, and the pool keeps as many buffers as were ever out at once. With 20 steps
/// a step was 833 writes on a silo holding 16,667 streams, and a busy CPU left several steps' worth out together.
/// </summary>
internal sealed partial class HeartbeatService(
    LocalConnections connections, GatewayCounters counters, IOptions<GatewayOptions> options, TimeProvider time, ILogger<HeartbeatService> logger)
    : BackgroundService
{
    internal const int TicksPerRound = 200;
    private static readonly TimeSpan ShortestTick = TimeSpan.FromMilliseconds(10);

    // The round's connections, taken once per round (not a scan of every connection per step); each entry is cleared
    // once beaten, so a closed connection is not kept for the rest of the round.
    private SseConnection?[] _round = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.HeartbeatInterval;
        var ticks = (int)Math.Clamp(interval / ShortestTick, 1, TicksPerRound);
        using var timer = new PeriodicTimer(interval / ticks, time);
        var (tick, count, next) = (0, 0, 0);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                if (tick == 0)
                {
                    count = TakeRound();
                    next = 0;
                }

                var until = (int)((long)count * (tick + 1) / ticks);
                Beat(next, until);
                next = until;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A failed beat must not end the service (and with it the host).
                LogBeatFailed(logger, ex);
            }

            tick = (tick + 1) % ticks;
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

    private int TakeRound()
    {
        Array.Clear(_round); // anything a failed round left behind
        var count = 0;
        foreach (var connection in connections.All)
        {
            if (count == _round.Length)
            {
                Array.Resize(ref _round, Math.Max(1024, count * 2));
            }

            _round[count++] = connection;
        }

        return count;
    }

    private void Beat(int from, int until)
    {
        if (from >= until)
        {
            return;
        }

        var now = time.GetUtcNow();
        var heartbeat = new OutgoingEvent(0, ClientEventTypes.Heartbeat,
            string.Create(CultureInfo.InvariantCulture, $$"""{"timestamp":{{now.ToUnixTimeSeconds()}}}"""));
        var sent = 0;
        for (var i = from; i < until; i++)
        {
            var connection = _round[i]!;
            _round[i] = null;
            if (connection.TryEnqueue(heartbeat))
            {
                connection.LastPing = now;
                sent++;
            }
        }

        counters.HeartbeatsQueued(sent);
    }
}
