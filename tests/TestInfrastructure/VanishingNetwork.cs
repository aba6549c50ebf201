using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// A client on a network that can vanish: a network namespace joined to this one by a veth pair. The server listens on
/// <see cref="ServerAddress"/> (this side of the pair, reachable from nowhere else); a client started in the namespace
/// connects through it. <see cref="VanishAsync"/> takes the client's side of the link down, so from then on nothing
/// reaches the client and nothing comes back: no FIN, no RST, unacknowledged data, as when a phone loses its network.
/// Needs root (CAP_NET_ADMIN), <c>ip</c> (iproute2) and <c>curl</c>; <see cref="Unavailable"/> says when it cannot run.
/// </summary>
public sealed class VanishingNetwork : IAsyncDisposable
{
    private readonly string _namespace;
    private readonly string _hostLink;
    private readonly string _clientLink;
    private readonly List<Process> _clients = [];

    private VanishingNetwork(string tag, int subnet)
    {
        _namespace = "sse-vanish-" + tag;
        _hostLink = "sv" + tag + "h";
        _clientLink = "sv" + tag + "c";
        ServerAddress = $"10.213.{subnet / 64}.{(subnet % 64 * 4) + 1}";
        ClientAddress = $"10.213.{subnet / 64}.{(subnet % 64 * 4) + 2}";
    }

    /// <summary>This side of the link: where a server the client reaches must listen.</summary>
    public string ServerAddress { get; }

    public string ClientAddress { get; }

    /// <summary>Why the network cannot be made here (not root, no <c>ip</c> or <c>curl</c>), or null when it can.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "needs Linux network namespaces";
        }

        if (Environment.UserName != "root")
        {
            return "needs root (CAP_NET_ADMIN) to create a network namespace and a veth pair; CI runs as root";
        }

        foreach (var tool in new[] { "ip", "curl" })
        {
            if (!Environment.GetEnvironmentVariable("PATH")!.Split(':').Append("/usr/sbin").Append("/sbin").Any(dir => File.Exists(Path.Combine(dir, tool))))
            {
                return $"needs '{tool}' (scripts/test.sh installs it)";
            }
        }

        return null;
    }

    public static async Task<VanishingNetwork> CreateAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var network = new VanishingNetwork(tag, Random.Shared.Next(0, 64 * 256));
        try
        {
            await IpAsync("netns", "add", network._namespace);
            await IpAsync("link", "add", network._hostLink, "type", "veth", "peer", "name", network._clientLink);
            await IpAsync("link", "set", network._clientLink, "netns", network._namespace);
            await IpAsync("addr", "add", network.ServerAddress + "/30", "dev", network._hostLink);
            await IpAsync("link", "set", network._hostLink, "up");
            await network.InsideAsync("ip", "addr", "add", network.ClientAddress + "/30", "dev", network._clientLink);
            await network.InsideAsync("ip", "link", "set", network._clientLink, "up");
            await network.InsideAsync("ip", "link", "set", "lo", "up");
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }

        return network;
    }

    /// <summary>Opens an SSE stream from inside the namespace (curl); its lines arrive in <see cref="SseLines"/>.</summary>
    public SseLines OpenStream(Uri url)
    {
        var start = new ProcessStartInfo("ip", ["netns", "exec", _namespace, "curl", "-sN", "-H", "Accept: text/event-stream", url.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        _clients.Add(process);
        return new SseLines(process);
    }

    /// <summary>Takes the client's side of the link down: the client neither hears nor answers any more.</summary>
    public Task VanishAsync() => InsideAsync("ip", "link", "set", _clientLink, "down");

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            if (!client.HasExited)
            {
                client.Kill(entireProcessTree: true);
                await client.WaitForExitAsync();
            }

            client.Dispose();
        }

        // Deleting one end removes the pair; failures are fine (not created yet, already gone).
        await IpAsync("link", "del", _hostLink).ContinueWith(_ => { }, TaskScheduler.Default);
        await IpAsync("netns", "del", _namespace).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private Task InsideAsync(params string[] command) => IpAsync(["netns", "exec", _namespace, .. command]);

    private static async Task IpAsync(params string[] arguments)
    {
        const string tool = "ip";
        var start = new ProcessStartInfo(tool, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode.ToString(CultureInfo.InvariantCulture)}): {await error}");
        }
    }

    /// <summary>The raw lines a client process printed.</summary>
    public sealed class SseLines
    {
        private readonly ConcurrentQueue<string> _lines = new();

        internal SseLines(Process process)
        {
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    _lines.Enqueue(e.Data);
                }
            };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public IReadOnlyCollection<string> Lines => _lines;

        /// <summary>The last <c>id:</c> the stream carried, or null.</summary>
        public string? LastEventId => _lines.LastOrDefault(l => l.StartsWith("id:", StringComparison.Ordinal))?[3..].Trim();
    }
}
