using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Security;

internal sealed partial class SecurityAnnouncer
{
    [LoggerMessage(EventId = 2600, Level = LogLevel.Warning,
        Message = "No API key is configured (Security:ApiKeys): /admin, /invoke, /mcp and /mcp/stream answer only on loopback")]
    private static partial void LogNoApiKeys(ILogger logger);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Warning,
        Message = "Client streams need no token (Security:RequireClientTokens is off): anyone who knows a client id can listen to it")]
    private static partial void LogStreamsOpen(ILogger logger);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Information,
        Message = "No trusted proxy is configured (Security:ForwardedHeaders:TrustedProxies): X-Forwarded-For is ignored, so behind a proxy every anonymous caller counts as the proxy's address for rate limits and stream caps")]
    private static partial void LogNoTrustedProxies(ILogger logger);

    [LoggerMessage(EventId = 2603, Level = LogLevel.Information,
        Message = "X-Forwarded-For and X-Forwarded-Proto are believed from {TrustedProxies} (ForwardLimit {ForwardLimit}); a forwarded caller is never the local caller")]
    private static partial void LogTrustedProxies(ILogger logger, string trustedProxies, int forwardLimit);
}
