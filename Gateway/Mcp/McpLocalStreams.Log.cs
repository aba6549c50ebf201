using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Mcp;

internal sealed partial class McpLocalStreams
{
    [LoggerMessage(EventId = 5340, Level = LogLevel.Debug, Message = "Could not update how MCP session {SessionId} pushes its messages to this silo")]
    private static partial void LogSweepCallFailed(ILogger logger, Exception exception, string sessionId);
}
