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

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "State is NOT durable: single silo with in-memory storage, lost on restart. Set REDIS_ADDR=host:port (and REDIS_PASSWORD if needed) to use Redis for cluster membership and grain state.")]
    private static partial void LogNotDurable(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Cluster membership and grain state in Redis at {RedisAddress}")]
    private static partial void LogRedis(ILogger logger, string redisAddress);
}
