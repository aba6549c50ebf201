using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using SseVirtualization.Clients;
using SseVirtualization.Gateway.Hosting;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// Catches the one loss a connection cannot see by itself: the last event of a burst lost on its way to the silo (no
/// later event shows the hole). Periodically, and at once when a silo dies, asks each local client's grain
/// for its newest id (one cheap interleaved call per client, not per connection) and has connections that
/// are behind fetch the rest from the log.
/// </summary>
internal sealed partial class DeliveryAuditor(
    LocalConnections connections,
    IGrainFactory grains,
    IClusterMembershipService membership,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<DeliveryAuditor> logger)
    : BackgroundService
{
    private const int Parallelism = 8;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var deaths = WatchForDeathsAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.AuditInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await AuditSafelyAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await deaths;
    }

    private async Task WatchForDeathsAsync(CancellationToken stoppingToken)
    {
        try
        {
            var known = new HashSet<SiloAddress>();
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var died = false;
                foreach (var (address, member) in snapshot.Members)
                {
                    died |= member.Status == SiloStatus.Dead && known.Add(address);
                }

                if (died)
                {
                    await AuditSafelyAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task AuditSafelyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await AuditAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // A failed round must not end the service (and with it the host); the next round retries.
            LogAuditRoundFailed(logger, ex);
        }
    }

    private async Task AuditAsync(CancellationToken cancellationToken)
    {
        var behind = 0;
        await Parallel.ForEachAsync(
            connections.ByClient.ToList(),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (client, _) =>
            {
                try
                {
                    var newest = await grains.GetGrain<IClientGrain>(client.Key).GetLastEventIdAsync();
                    foreach (var connection in client.Value)
                    {
                        var written = connection.LastWrittenId;
                        if (written >= 0 && written < newest)
                        {
                            Interlocked.Increment(ref behind);
                            connection.RequestCatchUp();
                        }
                    }
                }
                catch (Exception ex) when (ex is TimeoutException or OrleansException)
                {
                    LogAuditFailed(logger, client.Key, ex.Message);
                }
            });
        if (behind > 0)
        {
            LogCaughtUp(logger, behind);
        }
    }

    [LoggerMessage(EventId = 2202, Level = LogLevel.Error, Message = "An audit round failed")]
    private static partial void LogAuditRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "{Count} connections were behind their client's log and are catching up")]
    private static partial void LogCaughtUp(ILogger logger, int count);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Debug, Message = "Could not audit client {ClientId}: {Reason}")]
    private static partial void LogAuditFailed(ILogger logger, string clientId, string reason);
}
