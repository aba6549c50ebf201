using Microsoft.Extensions.Logging;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

internal static partial class InvocationLog
{
    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Function {Name} request {RequestId}: {Outcome} (HTTP {StatusCode}) in {DurationMs} ms")]
    private static partial void LogInvoked(ILogger logger, string name, string requestId, InvocationOutcome outcome, int statusCode, double durationMs);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Function {Name} request {RequestId}: result could not be handed to client {ClientId}")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string name, string requestId, string clientId);
}
