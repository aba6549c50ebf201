using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Connections;

internal sealed partial class HeartbeatService
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Error, Message = "A heartbeat round failed")]
    private static partial void LogBeatFailed(ILogger logger, Exception exception);
}
