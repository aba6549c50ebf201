using System.Net;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// Whether a request comes from this machine, for the keyless mode's "loopback only": the socket's peer, never an
/// address taken from a header.
/// </summary>
/// <remarks>
/// <see cref="ConnectionInfo.RemoteIpAddress"/> is not enough: forwarded-headers processing (for example
/// <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c>, which trusts every proxy) rewrites it from <c>X-Forwarded-For</c>,
/// which any caller can send, so <c>X-Forwarded-For: 127.0.0.1</c> would make a remote caller local.
/// </remarks>
internal static class LocalCaller
{
    /// <summary>The header forwarded-headers processing leaves the socket's address in when it rewrites it.</summary>
    private const string OriginalForHeader = "X-Original-For";

    public static bool Is(HttpContext context) => Is(
        (context.Features.Get<IConnectionSocketFeature>()?.Socket.RemoteEndPoint as IPEndPoint)?.Address,
        context.Connection.RemoteIpAddress,
        rewritten: context.Request.Headers.ContainsKey(OriginalForHeader));

    /// <param name="socketPeer">The socket's peer; null on a server without sockets (in-memory, named pipes).</param>
    /// <param name="connectionAddress">The connection's address as the request sees it, perhaps taken from a forwarded header.</param>
    /// <param name="rewritten">Whether forwarded-headers processing replaced the connection's address.</param>
    /// <remarks>
    /// Both must be loopback: the socket, because headers are anyone's to send; the connection's address, because a
    /// proxy on this machine that forwards a remote caller's address is not a local caller either.
    /// </remarks>
    internal static bool Is(IPAddress? socketPeer, IPAddress? connectionAddress, bool rewritten) =>
        connectionAddress is not null
        && IPAddress.IsLoopback(connectionAddress)
        && (socketPeer is not null ? IPAddress.IsLoopback(socketPeer) : !rewritten);
}
