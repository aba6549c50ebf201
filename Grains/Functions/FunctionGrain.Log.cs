using Microsoft.Extensions.Logging;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

internal sealed partial class FunctionGrain
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Function {Name} registered at {Endpoint}")]
    private static partial void LogRegistered(ILogger logger, string name, string endpoint);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Function {Name} deleted")]
    private static partial void LogDeleted(ILogger logger, string name);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Function {Name} request {RequestId}: {Outcome} (HTTP {StatusCode}) in {DurationMs} ms")]
    private static partial void LogInvoked(ILogger logger, string name, string requestId, InvocationOutcome outcome, int statusCode, double durationMs);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Function {Name} endpoint {Endpoint} is now {Health} (last check: {Check})")]
    private static partial void LogHealthChanged(ILogger logger, string name, string endpoint, string health, string check);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "Function {Name}: its stored headers or endpoint query cannot be decrypted (data protection key missing); register it again")]
    private static partial void LogSecretsUnreadable(ILogger logger, Exception exception, string name);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Function {Name} request {RequestId}: result could not be handed to client {ClientId}")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string name, string requestId, string clientId);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Function {Name} request {RequestId}: the accepted invocation failed before its result was delivered; the client's ledger runs it again")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string name, string requestId);
}
