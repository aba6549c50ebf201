using Microsoft.Extensions.Logging;

namespace SseVirtualization.Grains.Mcp;

internal sealed partial class McpUpstreamGrain
{
    [LoggerMessage(EventId = 5200, Level = LogLevel.Information, Message = "Opened an MCP session with {Registration}: {UpstreamSessionId}, protocol {ProtocolVersion}")]
    private static partial void LogInitialized(ILogger logger, string registration, string upstreamSessionId, string protocolVersion);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "The MCP server {Registration} no longer knows our session; starting a new one and repeating the request")]
    private static partial void LogSessionGone(ILogger logger, string registration);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Warning, Message = "Forwarding {Method} to the MCP server {Registration} failed")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception, string method, string registration);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Debug, Message = "Ending the session with the MCP server {Registration} failed")]
    private static partial void LogEndFailed(ILogger logger, Exception exception, string registration);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Warning, Message = "The standalone stream of the MCP server {Registration} failed; unasked messages stop until the activation ends")]
    private static partial void LogListenFailed(ILogger logger, Exception exception, string registration);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Warning, Message = "A message of the MCP server {Registration} could not be delivered to its session")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string registration);

    [LoggerMessage(EventId = 5208, Level = LogLevel.Debug, Message = "Sending a message to the MCP server {Registration} failed")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string registration);
}
