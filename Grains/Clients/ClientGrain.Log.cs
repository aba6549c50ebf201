using Microsoft.Extensions.Logging;

namespace SseVirtualization.Grains.Clients;

internal sealed partial class ClientGrain
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Client {ClientId}: silo {SiloId} is dead, its connections are forgotten")]
    private static partial void LogDeadSiloForgotten(ILogger logger, string clientId, string siloId);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "Client {ClientId}: a second result for request {RequestId} was dropped")]
    private static partial void LogDuplicateResult(ILogger logger, string clientId, string requestId);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Client {ClientId}: the new log head could not be recorded yet")]
    private static partial void LogHeadNotRecorded(ILogger logger, Exception exception, string clientId);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Client {ClientId}: event {EventId} is stored but could not be sent live to silo {SiloId}")]
    private static partial void LogLiveDeliveryFailed(ILogger logger, Exception exception, string clientId, long eventId, string siloId);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Client {ClientId}: stored state was changed by another activation; this one is deactivated")]
    private static partial void LogStorageConflict(ILogger logger, string clientId);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Debug, Message = "Client {ClientId}: silo {SiloId} could not be told the newest event id: {Reason}")]
    private static partial void LogDeliveryAuditFailed(ILogger logger, string clientId, string siloId, string reason);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Warning, Message = "Client {ClientId}: invocation {RequestId} was restarted (attempt {Attempt})")]
    private static partial void LogRestarted(ILogger logger, string clientId, string requestId, int attempt);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "Client {ClientId}: invocation {RequestId} abandoned after {Attempts} attempts")]
    private static partial void LogAbandoned(ILogger logger, string clientId, string requestId, int attempts);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Warning, Message = "Client {ClientId}: could not check invocation {RequestId}")]
    private static partial void LogRedriveFailed(ILogger logger, Exception exception, string clientId, string requestId);

    [LoggerMessage(EventId = 1313, Level = LogLevel.Warning, Message = "Client {ClientId}: the re-drive reminder could not be registered")]
    private static partial void LogReminderFailed(ILogger logger, Exception exception, string clientId);

    [LoggerMessage(EventId = 1314, Level = LogLevel.Warning, Message = "Client {ClientId}: streaming invocation {RequestId} was cut off and is not restarted")]
    private static partial void LogInterrupted(ILogger logger, string clientId, string requestId);

    [LoggerMessage(EventId = 1320, Level = LogLevel.Information, Message = "Client {ClientId}: every event has expired and is deleted; ids go on after {LastEventId}")]
    private static partial void LogLogExpired(ILogger logger, string clientId, long lastEventId);

    [LoggerMessage(EventId = 1321, Level = LogLevel.Warning, Message = "Client {ClientId}: the sweep of expired events failed; the reminder tries again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception, string clientId);

    [LoggerMessage(EventId = 1322, Level = LogLevel.Warning, Message = "Client {ClientId}: the reminder that deletes expired events could not be registered")]
    private static partial void LogExpiryReminderFailed(ILogger logger, Exception exception, string clientId);
}
