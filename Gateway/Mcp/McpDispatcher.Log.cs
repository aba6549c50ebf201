using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Mcp;

internal sealed partial class McpDispatcher
{
    [LoggerMessage(EventId = 5302, Level = LogLevel.Warning, Message = "The log level could not be passed to the MCP server {Server}")]
    private static partial void LogLevelNotPassed(ILogger logger, Exception exception, string server);
}
