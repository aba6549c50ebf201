using System.Net;
using System.Net.Sockets;

namespace SseVirtualization.TestInfrastructure;

/// <summary>Ports nothing else on the machine is using right now.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
