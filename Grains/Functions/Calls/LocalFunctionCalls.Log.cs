using Microsoft.Extensions.Logging;

namespace SseVirtualization.Grains.Functions.Calls;

internal sealed partial class LocalFunctionCalls
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Warning, Message = "Function {Name}: this silo could not read its registration to call it here; its calls go through its grain")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Function {Name} request {RequestId}: the accepted invocation failed here before its result was delivered; the client's ledger runs it again")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string name, string requestId);
}
