using Microsoft.Extensions.Logging;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

internal sealed partial class FunctionGrain
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Function {Name} registered at {Endpoint}")]
    private static partial void LogRegistered(ILogger logger, string name, string endpoint);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Function {Name} deleted")]
    private static partial void LogDeleted(ILogger logger, string name);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Function {Name} endpoint {Endpoint} is now {Health} (last check: {Check})")]
    private static partial void LogHealthChanged(ILogger logger, string name, string endpoint, string health, string check);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "Function {Name}: its stored headers or endpoint query cannot be decrypted (data protection key missing); register it again")]
    private static partial void LogSecretsUnreadable(ILogger logger, Exception exception, string name);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Function {Name} request {RequestId}: the accepted invocation failed before its result was delivered; the client's ledger runs it again")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string name, string requestId);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Warning, Message = "Function {Name}: silo {Silo} did not drop its copy of the changed registration; it reads it again within 30 s")]
    private static partial void LogForgetFailed(ILogger logger, Exception exception, string name, string silo);
}
