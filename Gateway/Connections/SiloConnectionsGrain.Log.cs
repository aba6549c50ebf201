using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Connections;

internal sealed partial class SiloConnectionsGrain
{
    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "{Count} connections of client {ClientId} missed its newest events and are catching up")]
    private static partial void LogCaughtUp(ILogger logger, int count, string clientId);
}
