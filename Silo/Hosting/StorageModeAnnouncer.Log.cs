using Microsoft.Extensions.Logging;

namespace SseVirtualization.Silo.Hosting;

internal sealed partial class StorageModeAnnouncer
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "State is NOT durable: single silo with in-memory storage, lost on restart. Set REDIS_ADDR=host:port (and REDIS_PASSWORD if needed) to use Redis for cluster membership and grain state.")]
    private static partial void LogNotDurable(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Cluster membership and grain state in Redis at {RedisAddress}")]
    private static partial void LogRedis(ILogger logger, string redisAddress);
}
