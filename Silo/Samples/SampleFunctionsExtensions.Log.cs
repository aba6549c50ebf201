using Microsoft.Extensions.Logging;

namespace SseVirtualization.Silo.Samples;

internal static partial class SampleFunctionsExtensions
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Sample functions are served at /samples/text-processor and /samples/words (Samples:Enabled; see the README's quick start)")]
    private static partial void LogServed(ILogger logger);
}
