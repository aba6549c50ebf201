using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// DNS-rebinding protection for the MCP endpoints: the <c>Host</c> header, and the <c>Origin</c> header when a
/// browser sends one, must name loopback or a host in <see cref="McpOptions.AllowedHosts"/>. A page on another
/// site whose name resolves to this machine is refused before anything runs. Separate from the browser CORS
/// allowlist of the rest of the gateway: MCP never answers to an arbitrary site.
/// </summary>
internal sealed class McpRequestGuard(IOptionsMonitor<McpOptions> options)
{
    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]", "::1"];

    /// <summary>Null when the request may proceed, else why it may not.</summary>
    public string? Refusal(HttpRequest request)
    {
        var host = request.Host;
        if (!host.HasValue || !IsAllowed(host.Host, host.Port))
        {
            return $"Host '{host.Value}' is not allowed for MCP (Mcp:AllowedHosts).";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var originUri) || !IsAllowed(originUri.Host, originUri.IsDefaultPort ? null : originUri.Port))
            {
                return $"Origin '{origin}' is not allowed for MCP (Mcp:AllowedHosts).";
            }
        }

        return null;
    }

    /// <summary>Whether a browser origin may call the MCP endpoints (the CORS side of the same rule).</summary>
    public bool OriginAllowed(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && IsAllowed(uri.Host, uri.IsDefaultPort ? null : uri.Port);

    private bool IsAllowed(string host, int? port)
    {
        if (LoopbackHosts.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var allowed in options.CurrentValue.AllowedHosts)
        {
            // "name" allows every port; "name:port" only that one.
            var colon = allowed.LastIndexOf(':');
            var bracketEnd = allowed.LastIndexOf(']');
            if (colon > bracketEnd && colon > 0)
            {
                if (port is { } p
                    && string.Equals(allowed[..colon], host, StringComparison.OrdinalIgnoreCase)
                    && allowed[(colon + 1)..] == p.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    return true;
                }
            }
            else if (string.Equals(allowed, host, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
