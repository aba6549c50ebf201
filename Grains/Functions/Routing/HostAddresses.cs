using System.Net;
using System.Net.NetworkInformation;

namespace SseVirtualization.Grains.Functions.Routing;

/// <summary>
/// The addresses assigned to this machine's network interfaces. A function endpoint at one of them reaches this
/// host as surely as loopback does (another silo's port, Redis, the dashboard), so the egress policy judges them alike.
/// </summary>
internal static class HostAddresses
{
    // Interfaces change rarely (DHCP, a container network); re-reading them at most every few seconds keeps a
    // connect step from enumerating interfaces each time while an added address is still noticed quickly.
    private const long RefreshMilliseconds = 5_000;

    private static Snapshot? _current;

    public static bool Contains(IPAddress address)
    {
        var snapshot = Volatile.Read(ref _current);
        var now = Environment.TickCount64;
        if (snapshot is null || now - snapshot.ReadAt > RefreshMilliseconds)
        {
            snapshot = new Snapshot(Read(snapshot), now);
            Volatile.Write(ref _current, snapshot);
        }

        return snapshot.Addresses.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
    }

    private static HashSet<IPAddress> Read(Snapshot? previous)
    {
        try
        {
            var addresses = new HashSet<IPAddress>();
            foreach (var networkInterface in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in networkInterface.GetIPProperties().UnicastAddresses)
                {
                    // Compared without a scope id: an endpoint literal names none.
                    addresses.Add(new IPAddress(unicast.Address.GetAddressBytes()));
                }
            }

            return addresses;
        }
        catch (NetworkInformationException)
        {
            return previous?.Addresses ?? [];
        }
    }

    private sealed record Snapshot(HashSet<IPAddress> Addresses, long ReadAt);
}
