using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Mcp;

internal sealed partial class McpCatalogListener
{
    [LoggerMessage(EventId = 5310, Level = LogLevel.Information, Message = "Tools of {Source} changed; told {Sessions} MCP sessions with a stream here")]
    private static partial void LogCatalogChanged(ILogger logger, string source, int sessions);

    [LoggerMessage(EventId = 5311, Level = LogLevel.Warning, Message = "Could not tell MCP session {SessionId} that the tools changed")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception, string sessionId);
}
