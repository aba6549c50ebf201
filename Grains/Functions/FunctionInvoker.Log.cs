using Microsoft.Extensions.Logging;

namespace SseVirtualization.Grains.Functions;

internal sealed partial class FunctionInvoker
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Function {Name} request {RequestId} could not be reached: {Reason}")]
    private static partial void LogUnreachableMessage(ILogger logger, string name, string requestId, string reason);
}
