using System.Net;
using System.Net.Sockets;

namespace SseVirtualization.Functions;

/// <summary>
/// Which addresses a function endpoint may resolve to. Link-local and cloud metadata addresses are never
/// reachable (they hand out credentials); loopback, this host's own addresses and private networks only when the
/// operator allows them. Checked at registration and again at connect time, after DNS, so a name cannot be re-pointed
/// later. Refusals never say which address a name resolved to: that would map the internal network for the caller.
/// </summary>
public static class EgressPolicy
{
    private static readonly IPAddress AwsMetadataV6 = IPAddress.Parse("fd00:ec2::254");
    private static readonly IPAddress AlibabaMetadata = IPAddress.Parse("100.100.100.200");

    /// <summary>
    /// Why <paramref name="address"/> may not be called, in general terms (a caller names the host, never the address
    /// it resolved to), or null when it may.
    /// </summary>
    public static string? Refusal(IPAddress address, bool allowLoopback, bool allowPrivateNetworks)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        // IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses carry an IPv4 address
        // that the stack or a translator will reach: judge that one.
        if (EmbeddedIPv4(address) is { } embedded)
        {
            return Refusal(embedded, allowLoopback, allowPrivateNetworks);
        }

        if (address.Equals(AwsMetadataV6) || address.Equals(AlibabaMetadata) || IsLinkLocal(address) || InV4(address, 192, 0, 24))
        {
            return "a link-local or cloud metadata address";
        }

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || IsMulticastOrReserved(address))
        {
            return "a multicast or reserved address (not a unicast address)";
        }

        if (InV4(address, 198, 18, 15))
        {
            return "a special-purpose address (198.18.0.0/15, network benchmarking)";
        }

        if (IPAddress.IsLoopback(address) || HostAddresses.Contains(address))
        {
            return allowLoopback ? null : "a loopback address or an address of this host (allowed only with Functions:AllowLoopback)";
        }

        if (IsPrivate(address))
        {
            return allowPrivateNetworks ? null : "a private address (allowed only with Functions:AllowPrivateNetworks)";
        }

        return null;
    }

    /// <summary>
    /// Why <paramref name="endpoint"/> may not be registered: its host is, or resolves now to, a refused address. The
    /// reason says which kind of address, not which one. A name that does not resolve yet is accepted; every
    /// connection is checked again when it is made.
    /// </summary>
    public static async Task<string?> EndpointRefusalAsync(Uri endpoint, bool allowLoopback, bool allowPrivateNetworks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)
        {
            return $"{endpoint.Scheme} is not http or https";
        }

        IPAddress[] addresses;
        if (IPAddress.TryParse(endpoint.IdnHost.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                addresses = await Dns.GetHostAddressesAsync(endpoint.IdnHost, timeout.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }

        foreach (var address in addresses)
        {
            if (Refusal(address, allowLoopback, allowPrivateNetworks) is { } reason)
            {
                return reason;
            }
        }

        return null;
    }

    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        var bytes = address.GetAddressBytes();
        var nat64 = bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b && bytes.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0;

        // ::/96 less :: and ::1, which are the IPv6 unspecified and loopback addresses, not IPv4-compatible ones.
        var compatible = bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback);
        if (nat64 || compatible)
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        return bytes[0] == 0x20 && bytes[1] == 0x02 ? new IPAddress(bytes.AsSpan(2, 4)) : null;
    }

    private static bool IsLinkLocal(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork
        ? InV4(address, 169, 254, 16)
        : address.IsIPv6LinkLocal;

    private static bool IsMulticastOrReserved(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6Multicast;
        }

        var first = address.GetAddressBytes()[0];
        return first == 0 || first >= 224;
    }

    private static bool IsPrivate(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // fc00::/7, unique local addresses.
            return (address.GetAddressBytes()[0] & 0xfe) == 0xfc || address.IsIPv6SiteLocal;
        }

        return InV4(address, 10, 0, 8) || InV4(address, 172, 16, 12) || InV4(address, 192, 168, 16) || InV4(address, 100, 64, 10);
    }

    private static bool InV4(IPAddress address, byte first, byte second, int prefixLength)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        var value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        var network = (uint)(first << 24 | second << 16);
        var mask = uint.MaxValue << (32 - prefixLength);
        return (value & mask) == network;
    }
}
