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

        var proxies = security.ForwardedHeaders.TrustedProxies;
        if (proxies.Count == 0)
        {
            LogNoTrustedProxies(logger);
        }
        else
        {
            var listed = string.Join(", ", proxies); // once at start-up, as one readable value (a list logs as its type name)
            LogTrustedProxies(logger, listed, security.ForwardedHeaders.ForwardLimit);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
