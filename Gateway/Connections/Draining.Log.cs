using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Connections;

internal sealed partial class Draining
{
    [LoggerMessage(EventId = 2250, Level = LogLevel.Information, Message = "Draining: {Count} streams told to reconnect elsewhere; new streams are refused")]
    private static partial void LogDraining(ILogger logger, int count);
}
