using System.Net;
using System.Net.Sockets;

namespace SseVirtualization.Grains.Functions.Routing;

/// <summary>
/// Which addresses a function endpoint may resolve to. Link-local and cloud metadata addresses are never
/// reachable (they hand out credentials); loopback, this host's own addresses and private networks only when the
/// operator allows them. Checked at registration (by the function grain, whose typed refusal the front end answers as 400) and again at connect time,
/// after DNS, so a name cannot be re-pointed later. Refusals never say which address a name resolved to: that would
/// map the internal network for the caller.
/// </summary>
internal static class EgressPolicy
{
    // Cloud metadata services (AWS over IPv6, Alibaba Cloud, Oracle Cloud's 192.0.0.192 within 192.0.0.0/24) and
    // link-local networks, where the other metadata services live. Checked before the private ranges: fd00:ec2::254
    // is also a unique local address.
    private static readonly IPNetwork[] LinkLocalOrMetadata =
    [
        IPNetwork.Parse("fd00:ec2::254/128"),
        IPNetwork.Parse("100.100.100.200/32"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("192.0.0.0/24"),
    ];

    // Not one host: "this network" (0.0.0.0/8, with 0.0.0.0), multicast and the reserved 240.0.0.0/4 (together
    // 224.0.0.0/3), IPv6 multicast and the IPv6 unspecified address.
    private static readonly IPNetwork[] NotUnicast =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("224.0.0.0/3"),
        IPNetwork.Parse("ff00::/8"),
        IPNetwork.Parse("::/128"),
    ];

    private static readonly IPNetwork Benchmarking = IPNetwork.Parse("198.18.0.0/15");

    // RFC 1918, carrier-grade NAT (100.64.0.0/10), IPv6 unique local (fc00::/7) and the deprecated site-local fec0::/10.
    private static readonly IPNetwork[] Private =
    [
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("fc00::/7"),
        IPNetwork.Parse("fec0::/10"),
    ];

    // IPv6 forms that carry an IPv4 address in their bytes: NAT64 (last 4 bytes), IPv4-compatible (last 4 bytes;
    // ::/96 less :: and ::1) and 6to4 (bytes 2-5).
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork IPv4Compatible = IPNetwork.Parse("::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

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

        if (InAny(LinkLocalOrMetadata, address))
        {
            return "a link-local or cloud metadata address";
        }

        if (InAny(NotUnicast, address))
        {
            return "a multicast or reserved address (not a unicast address)";
        }

        if (Benchmarking.Contains(address))
        {
            return "a special-purpose address (198.18.0.0/15, network benchmarking)";
        }

        if (IPAddress.IsLoopback(address) || HostAddresses.Contains(address))
        {
            return allowLoopback ? null : "a loopback address or an address of this host (allowed only with Functions:AllowLoopback)";
        }

        if (InAny(Private, address))
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
        if (Nat64.Contains(address)
            || (IPv4Compatible.Contains(address) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback)))
        {
            return new IPAddress(address.GetAddressBytes().AsSpan(12, 4));
        }

        return SixToFour.Contains(address) ? new IPAddress(address.GetAddressBytes().AsSpan(2, 4)) : null;
    }

    // IPNetwork.Contains is false for an address of the other family, so one list holds both.
    private static bool InAny(IPNetwork[] networks, IPAddress address)
    {
        foreach (var network in networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
