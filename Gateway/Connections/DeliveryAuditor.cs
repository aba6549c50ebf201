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
/// are behind fetch the rest from the log. A periodic round is spread over the interval in <see cref="Slices"/>
/// steps, like heartbeats: all clients at once was a burst of a grain call per client (10,000 on a busy silo) that
/// every invocation in flight at that moment waited behind.
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
    internal const int Slices = 20;
    private const int Parallelism = 8;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var deaths = WatchForDeathsAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.AuditInterval / Slices, time);
        var slice = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await AuditSafelyAsync(slice, stoppingToken);
                slice = (slice + 1) % Slices;
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
                    await AuditSafelyAsync(slice: null, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Audits one slice of the local clients, or all of them when <paramref name="slice"/> is <c>null</c>.</summary>
    /// <param name="slice">The slice (0 to <see cref="Slices"/> - 1), or <c>null</c>.</param>
    /// <param name="cancellationToken">Ends the round when the silo stops.</param>
    private async Task AuditSafelyAsync(int? slice, CancellationToken cancellationToken)
    {
        try
        {
            await AuditAsync(slice, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // A failed round must not end the service (and with it the host); the next round retries.
            LogAuditRoundFailed(logger, ex);
        }
    }

    private async Task AuditAsync(int? slice, CancellationToken cancellationToken)
    {
        var behind = 0;
        var clients = slice is { } only
            ? connections.ByClient.Where(client => client.Value[0].Sequence % Slices == only).ToList()
            : connections.ByClient.ToList();
        await Parallel.ForEachAsync(
            clients,
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
}
