namespace SseVirtualization.Silo.Hosting;

internal sealed record StorageModeAnnouncement(bool UsesRedis, string? RedisAddress);

/// <summary>Says once, at start-up, whether state survives a restart and how to make it so.</summary>
internal sealed partial class StorageModeAnnouncer(StorageModeAnnouncement mode, ILogger<StorageModeAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (mode.UsesRedis)
        {
            LogRedis(logger, mode.RedisAddress!);
        }
        else
        {
            LogNotDurable(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
