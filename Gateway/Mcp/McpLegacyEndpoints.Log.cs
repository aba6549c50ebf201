using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Mcp;

internal static partial class McpLegacyEndpoints
{
    [LoggerMessage(EventId = 5330, Level = LogLevel.Error, Message = "Answering {Method} for legacy MCP session {SessionId} failed")]
    private static partial void LogAnswerFailed(ILogger logger, Exception exception, string method, string sessionId);
}
