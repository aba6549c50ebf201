using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// Keeps web pages from using the authority a browser carries for them. A request that presents no credential of its
/// own is authorized by something ambient: being on loopback (no API key configured) or a cookie. A browser sends both
/// on behalf of any page it shows, so such a request must be addressed to this machine by a loopback name (not a
/// rebound DNS name) and must come from a page of this gateway (or of <see cref="SecurityOptions.AllowedOrigins"/>).
/// </summary>
/// <remarks>
/// <c>X-Api-Key</c>, <c>Authorization</c> and an <c>access_token</c> query parameter are credentials a page cannot
/// borrow, so requests that authenticate with one are not checked here. Presenting one is not enough: any page can
/// send <c>?access_token=x</c>, and a failed credential leaves the request as anonymous as none. Of the guarded paths
/// only <c>/dashboard</c> is a page, so a link to it (a top-level navigation) is let through; its own requests are
/// same-origin.
/// </remarks>
internal sealed class CrossSiteGuard(IOptionsMonitor<SecurityOptions> options)
{
    /// <summary>Paths whose requests act or read with the caller's authority.</summary>
    public static bool Guards(PathString path) =>
        path.StartsWithSegments("/admin")
        || path.StartsWithSegments("/invoke")
        || path.StartsWithSegments("/mcp/stream")
        || path.StartsWithSegments("/dashboard")
        || path.StartsWithSegments("/metrics");

    /// <summary>Null when the request may proceed, else the 403 to answer.</summary>
    public ProblemHttpResult? Refusal(HttpContext context)
    {
        var request = context.Request;
        if (AuthenticatedByOwnCredential(context))
        {
            return null;
        }

        var security = options.CurrentValue;
        if (!security.HasApiKeys && !IsLoopbackName(request.Host.Host))
        {
            // A page on a site whose name resolves to 127.0.0.1 reaches the loopback-only mode under its own name.
            return Refused($"Host '{request.Host.Value}' is not a loopback name. With no API key configured this answers only to requests addressed to localhost, 127.0.0.1 or [::1]; configure Security:ApiKeys to serve other names.");
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            return IsOwnOrigin(origin, request.Host) || security.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase)
                ? null
                : Refused($"Origin '{origin}' is not this gateway's. A page on another origin needs an API key or a token (or its origin in Security:AllowedOrigins).");
        }

        // Requests a browser makes without an Origin (a GET from an <img> or a link) still say where they come from.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        return site.Length == 0 || site is "same-origin" or "none" || IsNavigationToDashboard(request)
            ? null
            : Refused($"A request from another site ({site}) needs an API key or a token.");
    }

    /// <summary>Whether the request authenticated (not merely presented) with a credential a page cannot borrow.</summary>
    private static bool AuthenticatedByOwnCredential(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        var request = context.Request;
        return request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
            || !string.IsNullOrEmpty(request.Headers.Authorization)
            || request.QueryString.HasValue && request.Query.ContainsKey(SecurityHostingExtensions.AccessTokenQuery);
    }

    private static bool IsNavigationToDashboard(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && request.Path.StartsWithSegments("/dashboard")
        && request.Headers["Sec-Fetch-Mode"] == "navigate";

    private static bool IsLoopbackName(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(literal, out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>Whether <paramref name="origin"/> names the host and port the request was sent to (any scheme: TLS may end at a proxy).</summary>
    private static bool IsOwnOrigin(string origin, HostString host)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !host.HasValue
            || !string.Equals(uri.IdnHost, StripBrackets(host.Host), StringComparison.OrdinalIgnoreCase)
                && !string.Equals(uri.Host, host.Host, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // A Host without a port is the scheme's default port, which the origin then leaves out too.
        return host.Port is { } port ? uri.Port == port : uri.IsDefaultPort;
    }

    private static string StripBrackets(string host) => host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;

    private static ProblemHttpResult Refused(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status403Forbidden, title: "Not allowed");
}
