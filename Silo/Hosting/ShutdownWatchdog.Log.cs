using Microsoft.Extensions.Logging;

namespace SseVirtualization.Silo.Hosting;

internal sealed partial class ShutdownWatchdog
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Error,
        Message = "Stopping took longer than {Limit} (SHUTDOWN_TIMEOUT plus grace): the silo exits without waiting further. If Redis was unreachable, other silos declare this one dead when they notice it is gone")]
    private static partial void LogOverran(ILogger logger, TimeSpan limit);
}
