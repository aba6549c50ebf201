using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Mcp;

internal sealed partial class McpToolCatalog
{
    [LoggerMessage(EventId = 5300, Level = LogLevel.Warning, Message = "The MCP server {Server} did not list its tools; they are left out of tools/list")]
    private static partial void LogServerUnavailable(ILogger logger, Exception exception, string server);
}
