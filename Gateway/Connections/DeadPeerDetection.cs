using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SseVirtualization.Gateway.Hosting;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// Drops connections whose client vanished without a FIN or RST (a phone that lost its network, a NAT that forgot the
/// flow). Without it the kernel retransmits unacknowledged heartbeats for about 15 minutes (tcp_retries2) before
/// giving up, and the stream, its queue and its place in the client's connections stay that long.
/// </summary>
public static class DeadPeerDetection
{
    // Linux's TCP_USER_TIMEOUT (netinet/tcp.h): milliseconds unacknowledged data may wait before the connection is dropped.
    private const int IpProtocolTcp = 6;
    private const int TcpUserTimeout = 18;
    private const int KeepAliveProbes = 3;

    /// <summary>Sets <see cref="GatewayOptions.DeadPeerTimeout"/> on every TCP connection this endpoint accepts.</summary>
    public static ListenOptions UseDeadPeerDetection(this ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var timeout = listen.ApplicationServices.GetRequiredService<IOptions<GatewayOptions>>().Value.DeadPeerTimeout;
        listen.Use(next => connection =>
        {
            if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { ProtocolType: ProtocolType.Tcp } socket)
            {
                try
                {
                    Apply(socket, timeout);
                }
                catch (SocketException)
                {
                    // Reset before it got here: no peer left to watch, and the request fails on its own.
                }
            }

            return next(connection);
        });
        return listen;
    }

    internal static void Apply(Socket socket, TimeSpan timeout)
    {
        // Keepalive covers a connection with nothing to send; the user timeout one whose data goes unacknowledged (the
        // SSE case: heartbeats keep data in flight, so keepalive alone would never fire). Both end near the timeout.
        var probeEvery = Math.Max(1, (int)(timeout.TotalSeconds / (KeepAliveProbes + 1)));
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, probeEvery);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, probeEvery);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, KeepAliveProbes);
        if (OperatingSystem.IsLinux())
        {
            var milliseconds = (int)timeout.TotalMilliseconds;
            socket.SetRawSocketOption(IpProtocolTcp, TcpUserTimeout, MemoryMarshal.AsBytes(new ReadOnlySpan<int>(in milliseconds)));
        }
    }
}
