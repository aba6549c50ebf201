using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SseVirtualization.Gateway.Security;

/// <summary>Says once at start-up which doors are open, so an unprotected deployment is never silent about it.</summary>
internal sealed partial class SecurityAnnouncer(IOptions<SecurityOptions> options, ILogger<SecurityAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var security = options.Value;
        if (!security.HasApiKeys)
        {
            LogNoApiKeys(logger);
        }

        if (!security.ClientTokensRequired)
        {
            LogStreamsOpen(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 2600, Level = LogLevel.Warning,
        Message = "No API key is configured (Security:ApiKeys): /admin, /invoke, /mcp and /mcp/stream answer only on loopback")]
    private static partial void LogNoApiKeys(ILogger logger);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Warning,
        Message = "Client streams need no token (Security:RequireClientTokens is off): anyone who knows a client id can listen to it")]
    private static partial void LogStreamsOpen(ILogger logger);
}
