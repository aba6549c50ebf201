using Microsoft.Extensions.Hosting;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Ends, once a minute, the watches of sessions whose streams here have all been closed for a while, and every watch
/// when the silo stops (<see cref="McpLocalStreams"/>).
/// </summary>
internal sealed class McpWatchSweeper(McpLocalStreams streams, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(McpLocalStreams.Linger, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await streams.SweepAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stopping: sessions stop pushing here (stopped before Orleans, so the calls still go out; bounded by the host's deadline).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Task ending = streams.SweepAsync(all: true);
        await ending.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
