using System.Net;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// Whether a request comes from this machine, for the keyless mode's "loopback only": the socket's peer, never an
/// address taken from a header, and never a request a proxy forwarded.
/// </summary>
/// <remarks>
/// <see cref="ConnectionInfo.RemoteIpAddress"/> is not enough: forwarded-headers processing (our trusted proxies, or
/// <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c>, which trusts every proxy) rewrites it from <c>X-Forwarded-For</c>,
/// so <c>X-Forwarded-For: 127.0.0.1</c> would make a remote caller local. The socket's peer is not enough either: a
/// proxy on this machine is a loopback peer for callers from anywhere.
/// </remarks>
internal static class LocalCaller
{
    public static bool Is(HttpContext context) => Is(
        (context.Features.Get<IConnectionSocketFeature>()?.Socket.RemoteEndPoint as IPEndPoint)?.Address,
        context.Connection.RemoteIpAddress,
        forwarded: WasForwarded(context.Request.Headers));

    /// <param name="socketPeer">The socket's peer; null on a server without sockets (in-memory, named pipes).</param>
    /// <param name="connectionAddress">The connection's address as the request sees it, perhaps taken from a forwarded header.</param>
    /// <param name="forwarded">Whether a proxy forwarded the request, or forwarded-headers processing replaced its address.</param>
    /// <remarks>
    /// Both addresses must be loopback: the socket, because headers are anyone's to send; the connection's address,
    /// because a proxy on this machine that forwards a remote caller's address is not a local caller either. And the
    /// request must not be forwarded: a proxy's own socket is loopback when it runs here, and the address it forwards
    /// (127.0.0.1 from a local client, or from a caller who wrote it) is a header, whoever is trusted to send it.
    /// </remarks>
    internal static bool Is(IPAddress? socketPeer, IPAddress? connectionAddress, bool forwarded) =>
        !forwarded
        && connectionAddress is not null
        && IPAddress.IsLoopback(connectionAddress)
        && (socketPeer is null || IPAddress.IsLoopback(socketPeer));

    /// <summary>
    /// Whether the request names a client other than its sender: it carries a forwarding header, or forwarded-headers
    /// processing consumed one and left the socket's address in <c>X-Original-For</c>. A caller who sends one itself
    /// only gives up being local.
    /// </summary>
    private static bool WasForwarded(IHeaderDictionary headers) =>
        headers.ContainsKey(ForwardedHeadersDefaults.XOriginalForHeaderName)
        || headers.ContainsKey(ForwardedHeadersDefaults.XForwardedForHeaderName)
        || headers.ContainsKey("Forwarded");
}
