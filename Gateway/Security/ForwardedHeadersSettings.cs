using System.Net;
using System.Net.Sockets;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// Proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed (section
/// <c>Security:ForwardedHeaders</c>). None by default: forwarded headers are then ignored, and every caller is the
/// address of its socket's peer.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>
    /// Addresses (<c>10.0.0.5</c>, <c>fd00::5</c>) or CIDR networks (<c>10.0.0.0/8</c>) of the proxies in front of the
    /// silo. Only a request whose socket peer is one of these has its caller's address taken from <c>X-Forwarded-For</c>.
    /// </summary>
    public List<string> TrustedProxies { get; } = [];

    /// <summary>
    /// How many entries of <c>X-Forwarded-For</c> are read, from the right: one per trusted proxy a request passes
    /// through. Each entry beyond the first is read only when the address before it is itself a trusted proxy.
    /// </summary>
    public int ForwardLimit { get; set; } = 1;

    /// <summary>
    /// Reads one <see cref="TrustedProxies"/> entry as a single address or a network. Strict where .NET is lenient:
    /// <see cref="IPAddress.TryParse(string, out IPAddress)"/> reads <c>10</c> as 0.0.0.10, and
    /// <see cref="IPNetwork.TryParse(string, out IPNetwork)"/> reads <c>10.1.2.3/8</c> as all of 10.0.0.0/8, and neither is
    /// likely what an operator meant by the proxies they trust.
    /// </summary>
    internal static bool TryParse(string entry, out IPNetwork network)
    {
        network = default;
        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        var addressPart = slash < 0 ? entry : entry[..slash];
        if (!IPAddress.TryParse(addressPart, out var address)
            || address.AddressFamily == AddressFamily.InterNetwork && addressPart.Count(c => c == '.') != 3)
        {
            return false;
        }

        if (slash < 0)
        {
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(entry, out network) && network.BaseAddress.Equals(address);
    }
}
