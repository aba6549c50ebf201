using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using SseVirtualization.Clients;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// Catches what a silo's death may have lost on its way here: when a silo dies, an event its client grain had stored
/// may never have been sent, and that grain is gone before it could tell this silo its newest id (see
/// <see cref="Streams.ISiloCatchUpGrain"/>, which covers a lost last event while every silo lives). So on each death
/// every local client's grain is asked for its newest id (one cheap interleaved call per client, not per connection),
/// and connections that are behind fetch the rest from the log: at once, and again 10 s and 30 s later, while the
/// cluster settles. Nothing runs while the cluster is steady: an idle
/// client's grain is never called, so it can deactivate.
/// </summary>
internal sealed partial class DeliveryAuditor(
    LocalConnections connections,
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILogger<DeliveryAuditor> logger)
    : BackgroundService
{
    private const int Parallelism = 8;

    // After a death, the audit runs at once and twice more: live deliveries between the survivors can still be lost
    // while the cluster settles (the dead silo's share of the grain directory moving), after the first round.
    private static readonly TimeSpan[] RoundsAfterDeath = [TimeSpan.Zero, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var rounds = new List<Task>();
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
                    rounds.Add(AuditAfterDeathAsync(stoppingToken));
                    rounds.RemoveAll(round => round.IsCompleted);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(rounds);
    }

    private async Task AuditAfterDeathAsync(CancellationToken cancellationToken)
    {
        var previous = TimeSpan.Zero;
        try
        {
            foreach (var at in RoundsAfterDeath)
            {
                await Task.Delay(at - previous, cancellationToken);
                previous = at;
                await AuditSafelyAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
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
            // A failed round must not end the service (and with it the host); the next death audits again.
            LogAuditRoundFailed(logger, ex);
        }
    }

    private async Task AuditAsync(CancellationToken cancellationToken)
    {
        var behind = 0;
        await Parallel.ForEachAsync(
            connections.ByClient.Select(client => client.Key).ToList(),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (clientId, _) =>
            {
                try
                {
                    var newest = await grains.ReferenceTo<IClientGrain>(clientId).GetLastEventIdAsync();
                    Interlocked.Add(ref behind, connections.CatchUp(clientId, newest));
                }
                catch (Exception ex) when (ex is TimeoutException or OrleansException)
                {
                    LogAuditFailed(logger, clientId, ex.Message);
                }
            });
        if (behind > 0)
        {
            LogCaughtUp(logger, behind);
        }
    }
}
