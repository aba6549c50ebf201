using System.Net;
using System.Net.Sockets;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions.Routing;

/// <summary>
/// The function client's connect step: resolves the host itself and connects only to addresses the
/// <see cref="EgressPolicy"/> allows, so a name that later resolves to a metadata address is still refused.
/// </summary>
internal static class EgressConnector
{
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, FunctionOptions options, CancellationToken cancellationToken)
    {
        var endPoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endPoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken);
        var allowed = new List<IPAddress>(addresses.Length);
        string? refusal = null;
        foreach (var address in addresses)
        {
            var reason = EgressPolicy.Refusal(address, options.AllowLoopback, options.AllowPrivateNetworks);
            if (reason is null)
            {
                allowed.Add(address);
            }
            else
            {
                refusal ??= reason;
            }
        }

        if (allowed.Count == 0)
        {
            // The host, never the addresses it resolved to: this message reaches callers and health reports.
            throw new EgressRefusedException(refusal is null ? $"{endPoint.Host} resolves to no address" : $"{endPoint.Host} is, or resolves to, {refusal}");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed.ToArray(), endPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A function endpoint resolved only to addresses the egress policy refuses.</summary>
internal sealed class EgressRefusedException(string message) : IOException(message);
