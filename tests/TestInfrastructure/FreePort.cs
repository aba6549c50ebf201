using System.Net;
using System.Net.Sockets;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// Ports for servers the tests start. They come from below the kernel's ephemeral range
/// (<c>/proc/sys/net/ipv4/ip_local_port_range</c>, 32768 and up here): a port the kernel hands out with
/// bind-to-0 is in that range, where any outgoing connection may take it before the server binds.
/// </summary>
public static class FreePort
{
    private const int First = 20000;
    private const int Last = 32000;
    private static int _next = First + Random.Shared.Next(Last - First);

    public static int Next()
    {
        for (var attempt = 0; attempt < Last - First; attempt++)
        {
            var port = First + ((Interlocked.Increment(ref _next) - First) % (Last - First));
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free port between {First} and {Last}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
