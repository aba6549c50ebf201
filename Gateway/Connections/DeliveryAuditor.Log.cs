using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Connections;

internal sealed partial class DeliveryAuditor
{
    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "{Count} connections were behind their client's log after a silo's death and are catching up")]
    private static partial void LogCaughtUp(ILogger logger, int count);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Debug, Message = "Could not audit client {ClientId}: {Reason}")]
    private static partial void LogAuditFailed(ILogger logger, string clientId, string reason);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Error, Message = "The audit after a silo's death failed")]
    private static partial void LogAuditRoundFailed(ILogger logger, Exception exception);
}
