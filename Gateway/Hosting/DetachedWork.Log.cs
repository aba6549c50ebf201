using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Hosting;

internal sealed partial class DetachedWork
{
    [LoggerMessage(EventId = 2310, Level = LogLevel.Information, Message = "Stopping: waiting for {Count} detached MCP calls to finish")]
    private static partial void LogWaiting(ILogger logger, int count);

    [LoggerMessage(EventId = 2311, Level = LogLevel.Information, Message = "Stopping: every detached MCP call finished")]
    private static partial void LogAllEnded(ILogger logger);

    [LoggerMessage(EventId = 2312, Level = LogLevel.Warning, Message = "Stopping: the drain deadline passed with {Count} detached MCP calls running; their clients are told the server stopped")]
    private static partial void LogGivingUp(ILogger logger, int count);
}
