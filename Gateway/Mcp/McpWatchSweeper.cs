using Microsoft.Extensions.Hosting;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Once a minute, ends the watches of sessions whose streams here have all been closed for a while; every tenth time,
/// also re-asserts the watches of sessions with streams here (<see cref="McpLocalStreams.SweepAsync"/>). Nothing is
/// unwatched when the silo stops: a stopped silo is marked dead, and each session drops it with its next message.
/// </summary>
internal sealed class McpWatchSweeper(McpLocalStreams streams, TimeProvider time) : BackgroundService
{
    private const int ReassertEvery = 10;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(McpLocalStreams.Linger, time);
        var tick = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await streams.SweepAsync(reassert: ++tick % ReassertEvery == 0);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
