using Microsoft.Extensions.Logging;

namespace SseVirtualization.Silo.Hosting;

internal static partial class SiloStartCheck
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Critical, Message = "{Refusal}")]
    private static partial void LogRefused(ILogger logger, string refusal);
}
