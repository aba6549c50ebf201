using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Connections;

internal sealed partial class SseEndpoint
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Debug, Message = "Client {ClientId} connected ({ConnectionId}), {Backlog} waiting events")]
    private static partial void LogConnected(ILogger logger, string clientId, string connectionId, int backlog);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Client {ClientId} disconnected ({ConnectionId})")]
    private static partial void LogDisconnected(ILogger logger, string clientId, string connectionId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Client {ClientId}: the disconnect could not be recorded in its grain")]
    private static partial void LogDisconnectNotRecorded(ILogger logger, Exception exception, string clientId);
}
