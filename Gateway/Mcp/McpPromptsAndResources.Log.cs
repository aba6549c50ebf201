using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Mcp;

internal sealed partial class McpPromptsAndResources
{
    [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "The MCP server {Server} did not answer {Method}; its items are left out")]
    private static partial void LogServerUnavailable(ILogger logger, Exception exception, string server, string method);
}
