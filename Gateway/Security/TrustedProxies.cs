using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// ASP.NET Core's forwarded-headers middleware, believing only the proxies in
/// <see cref="ForwardedHeadersSettings.TrustedProxies"/>: behind them, the caller the rate limits and the per-caller
/// stream cap count is the client the proxy saw, not the proxy. With none configured it is not in the pipeline at all.
/// </summary>
/// <remarks>
/// Only <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> (the scheme matters to the admin cookie's <c>Secure</c> flag
/// and the OAuth metadata's URLs when TLS ends at the proxy). Not <c>X-Forwarded-Host</c>: the ambient-authority check
/// (<see cref="CrossSiteGuard"/>) and <c>/mcp</c>'s host check judge the <c>Host</c> a request was addressed to, which
/// the shipped nginx passes on unchanged; a host taken from a header would need its own allow-list to be as safe, and
/// nothing here needs it. Not <c>X-Forwarded-Prefix</c>: the gateway is served at the root. A request whose address was
/// taken from a header is never the local caller (<see cref="LocalCaller"/>).
/// </remarks>
internal static class TrustedProxies
{
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app) => app.Use(next =>
    {
        // Runs when the pipeline is built as the host starts, after Security's settings were validated.
        var settings = app.ApplicationServices.GetRequiredService<IOptions<SecurityOptions>>().Value.ForwardedHeaders;
        if (settings.TrustedProxies.Count == 0)
        {
            return next;
        }

        var middleware = new ForwardedHeadersMiddleware(next, app.ApplicationServices.GetRequiredService<ILoggerFactory>(), Options.Create(OptionsFor(settings)));
        return middleware.Invoke;
    });

    internal static ForwardedHeadersOptions OptionsFor(ForwardedHeadersSettings settings)
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = settings.ForwardLimit,
        };

        // ASP.NET Core trusts loopback (127.0.0.0/8, ::1) unless told otherwise; only what is configured may forward.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var entry in settings.TrustedProxies)
        {
            options.KnownIPNetworks.Add(ForwardedHeadersSettings.TryParse(entry, out var network)
                ? network
                : throw new InvalidOperationException($"Security:ForwardedHeaders:TrustedProxies entry '{entry}' was not validated."));
        }

        return options;
    }
}
