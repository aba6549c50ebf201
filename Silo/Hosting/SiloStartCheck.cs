using System.Net;
using System.Net.Sockets;

namespace SseVirtualization.Silo.Hosting;

/// <summary>
/// What stops a silo before it starts (invalid settings, its HTTP, silo or gateway port taken), said in one line with what to do,
/// instead of a host start-up failure and its stack trace.
/// </summary>
internal static partial class SiloStartCheck
{
    /// <summary>Exit code of a silo that could not start because of its settings or its environment.</summary>
    public const int RefusedToStart = 2;

    /// <summary>Why the silo cannot start with <paramref name="configuration"/>, or null when it can.</summary>
    public static string? Refusal(IConfiguration configuration)
    {
        var options = configuration.Get<SiloHostingOptions>() ?? new SiloHostingOptions();
        var failures = options.Validate().ToList();
        if (failures.Count > 0)
        {
            return "Invalid silo configuration: " + string.Join(" ", failures);
        }

        return HttpPortRefusal(options) ?? OrleansPortRefusal(options, "SILO_PORT", options.SiloPort) ?? OrleansPortRefusal(options, "GATEWAY_PORT", options.GatewayPort);
    }

    private static string? HttpPortRefusal(SiloHostingOptions options) => CannotListen(IPAddress.Parse(options.BindAddress), options.HttpPort) switch
    {
        null => null,
        SocketError.AddressAlreadyInUse =>
            $"Port {options.HttpPort} on {options.BindAddress} is already in use. Stop what holds it, or start this silo on another port, e.g. PORT={AnotherPort(options.HttpPort)}.",
        SocketError.AccessDenied =>
            $"Port {options.HttpPort} on {options.BindAddress} needs privileges this process lacks. Start this silo on a port above 1023, e.g. PORT=8080.",
        SocketError.AddressNotAvailable =>
            $"BIND_ADDRESS {options.BindAddress} is not an address of this machine. Use one of its addresses, 127.0.0.1 or 0.0.0.0.",
        var error => $"Port {options.HttpPort} on {options.BindAddress} cannot be opened ({error}). Check PORT and BIND_ADDRESS.",
    };

    /// <summary>
    /// Orleans' own ports (silo-to-silo, client gateway): taken, they end the start-up in an Orleans stack trace. Checked
    /// on the address Orleans listens on; under Kubernetes hosting that is the pod's, which nothing else can hold.
    /// </summary>
    private static string? OrleansPortRefusal(SiloHostingOptions options, string setting, int port)
    {
        var address = OrleansListenAddress(options);
        if (address is null)
        {
            return null;
        }

        return CannotListen(address, port) switch
        {
            null or SocketError.AddressNotAvailable => null, // an advertised address that is not local is Orleans' own error to report
            SocketError.AddressAlreadyInUse =>
                $"{setting} {port} on {address} is already in use (another silo on this machine?). Give each silo its own ports, e.g. {setting}={AnotherPort(port)}.",
            SocketError.AccessDenied =>
                $"{setting} {port} on {address} needs privileges this process lacks. Use a port above 1023.",
            var error => $"{setting} {port} on {address} cannot be opened ({error}). Check {setting}.",
        };
    }

    private static IPAddress? OrleansListenAddress(SiloHostingOptions options) => options switch
    {
        { UsesRedis: false } => IPAddress.Loopback, // localhost clustering
        { KubernetesHosting: true } => null,
        { ListensOnAnyAddress: true } => IPAddress.Any,
        _ => options.ResolveAdvertisedAddress(),
    };

    /// <summary>Logs <paramref name="refusal"/> as one line and gives the exit code to end with.</summary>
    public static int Report(string refusal)
    {
        using var logging = LoggerFactory.Create(logs => logs.AddSimpleConsole(console => console.SingleLine = true));
        var logger = logging.CreateLogger("SseVirtualization.Silo");
        LogRefused(logger, refusal);
        return RefusedToStart;
    }

    /// <summary>Why Kestrel could not listen on <paramref name="address"/>:<paramref name="port"/>, or null when it can.</summary>
    /// <remarks>Kestrel binds the same address and port moments later; a port taken in between still fails there.</remarks>
    private static SocketError? CannotListen(IPAddress address, int port)
    {
        try
        {
            var probe = new TcpListener(address, port);
            probe.Start();
            probe.Stop();
            return null;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    }

    private static int AnotherPort(int port) => port < 65535 ? port + 1 : port - 1;
}
