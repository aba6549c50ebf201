using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Http;

internal sealed partial class GatewayExceptionHandler
{
    [LoggerMessage(EventId = 2900, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path);
}
