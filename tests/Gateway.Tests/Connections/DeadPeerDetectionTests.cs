using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using SseVirtualization.Gateway.Connections;

namespace SseVirtualization.Gateway.Tests.Connections;

public sealed class DeadPeerDetectionTests
{
    [Fact]
    public async Task The_timeout_lands_on_the_socket_as_keepalive_and_on_Linux_as_TCP_USER_TIMEOUT()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = await listener.AcceptSocketAsync();

        DeadPeerDetection.Apply(accepted, TimeSpan.FromSeconds(20));

        Assert.Equal(1, (int)accepted.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!);
        Assert.Equal(5, (int)accepted.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!);
        Assert.Equal(3, (int)accepted.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount)!);
        if (OperatingSystem.IsLinux())
        {
            var value = new byte[sizeof(int)];
            accepted.GetRawSocketOption(6, 18, value);
            Assert.Equal(20_000, MemoryMarshal.Read<int>(value));
        }
    }
}
