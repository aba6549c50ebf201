using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Mcp;

internal sealed partial class McpLocalStreams
{
    [LoggerMessage(EventId = 5340, Level = LogLevel.Debug, Message = "Could not stop MCP session {SessionId} pushing its messages to this silo")]
    private static partial void LogUnwatchFailed(ILogger logger, Exception exception, string sessionId);
}
