using Microsoft.Extensions.Logging;

namespace SseVirtualization.Grains.Mcp;

public sealed partial class McpCatalogNotifier
{
    [LoggerMessage(EventId = 5210, Level = LogLevel.Warning, Message = "Could not tell silo {Silo} that the tools of {Source} changed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string source, string silo);
}
