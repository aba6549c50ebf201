using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Mcp;

internal static partial class McpStreamableEndpoints
{
    [LoggerMessage(EventId = 5320, Level = LogLevel.Error, Message = "Answering {Method} for MCP session {SessionId} failed")]
    private static partial void LogAnswerFailed(ILogger logger, Exception exception, string method, string sessionId);

    [LoggerMessage(EventId = 5321, Level = LogLevel.Error, Message = "A tool call of MCP session {SessionId} failed after its stream was closed")]
    private static partial void LogDetachedFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(EventId = 5322, Level = LogLevel.Error, Message = "The answer of a tool call of MCP session {SessionId} could not be stored; a resumed stream will not get it")]
    private static partial void LogAnswerNotStored(ILogger logger, Exception exception, string sessionId);
}
