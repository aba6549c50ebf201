using System.Net;
using System.Net.Sockets;
using SseVirtualization.EndToEnd.Tests.Deploy;
using SseVirtualization.TestInfrastructure;
using static SseVirtualization.EndToEnd.Tests.Security.ProblemAnswers;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>
/// Security:ForwardedHeaders behind the shipped nginx configuration. nginx listens on 127.0.0.1 and reaches the silo
/// from 127.0.0.1; its clients connect to it from 127.0.0.2 and 127.0.0.3, the addresses it puts in X-Forwarded-For.
/// </summary>
public sealed class TrustedProxyTests
{
    private const string NginxAddress = "127.0.0.1";

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static Dictionary<string, string?> Settings(bool trustNginx, params (string Key, string Value)[] more)
    {
        var settings = more.ToDictionary(s => s.Key, s => (string?)s.Value);
        if (trustNginx)
        {
            settings["Security__ForwardedHeaders__TrustedProxies__0"] = NginxAddress;
        }

        return settings;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Clients_behind_nginx_have_their_own_stream_caps_only_when_nginx_is_a_trusted_proxy(bool trusted)
    {
        await using var silo = await SiloProcess.StartAsync(Settings(trusted, ("Gateway__MaxConnectionsPerCaller", "2")));
        await using var nginx = await DeployedNginx.StartAsync(silo.HttpPort);
        using var first = ClientFrom("127.0.0.2", nginx.BaseAddress);
        using var second = ClientFrom("127.0.0.3", nginx.BaseAddress);
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                open.Add(await OpenStreamAsync(first));
                Assert.Equal(HttpStatusCode.OK, open[^1].StatusCode);
            }

            using (var third = await OpenStreamAsync(first))
            {
                await AssertCallerCapAsync(third);
            }

            var other = await OpenStreamAsync(second);
            open.Add(other);
            if (trusted)
            {
                Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            }
            else
            {
                // Untrusted, nginx's X-Forwarded-For is ignored: both clients are nginx's address, one caller.
                await AssertCallerCapAsync(other);
            }
        }
        finally
        {
            open.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task Clients_behind_a_trusted_nginx_have_their_own_rate_limit()
    {
        await using var silo = await SiloProcess.StartAsync(Settings(
            trustNginx: true, ("Security__RateLimits__ConnectionsPerSecond", "1"), ("Security__RateLimits__BurstSeconds", "1")));
        await using var nginx = await DeployedNginx.StartAsync(silo.HttpPort);
        using var first = ClientFrom("127.0.0.2", nginx.BaseAddress);
        using var second = ClientFrom("127.0.0.3", nginx.BaseAddress);

        // All at once: the bucket holds one connection and gains one a second, so most of these are refused.
        var burst = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => OpenStreamAsync(first)));
        try
        {
            Assert.Contains(burst, r => r.StatusCode == HttpStatusCode.TooManyRequests);

            // The other client's bucket is its own and full, however long the burst took.
            using var other = await OpenStreamAsync(second);
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }
        finally
        {
            Array.ForEach(burst, r => r.Dispose());
        }
    }

    [Fact]
    public async Task Forwarded_headers_from_a_peer_that_is_not_a_trusted_proxy_do_not_choose_its_rate_limit()
    {
        // nginx's address is trusted; this caller reaches the silo directly from another address and names a new client
        // in each request. Believed, each would have a full bucket of its own and none would be refused.
        await using var silo = await SiloProcess.StartAsync(Settings(
            trustNginx: true, ("Security__RateLimits__ConnectionsPerSecond", "1"), ("Security__RateLimits__BurstSeconds", "1")));
        using var direct = ClientFrom("127.0.0.4", silo.BaseAddress);

        var burst = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => OpenStreamAsync(direct, $"198.51.100.{i + 1}")));
        try
        {
            Assert.Contains(burst, r => r.StatusCode == HttpStatusCode.TooManyRequests);
        }
        finally
        {
            Array.ForEach(burst, r => r.Dispose());
        }
    }

    [Fact]
    public async Task By_default_forwarded_headers_are_ignored_even_from_loopback_so_a_caller_cannot_choose_its_stream_cap()
    {
        // ASP.NET Core's forwarded-headers middleware trusts loopback unless told otherwise; by default nothing is trusted.
        await using var silo = await SiloProcess.StartAsync(Settings(trustNginx: false, ("Gateway__MaxConnectionsPerCaller", "2")));
        using var direct = ClientFrom(NginxAddress, silo.BaseAddress);
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 1; i <= 2; i++)
            {
                open.Add(await OpenStreamAsync(direct, $"198.51.100.{i}"));
                Assert.Equal(HttpStatusCode.OK, open[^1].StatusCode);
            }

            using var third = await OpenStreamAsync(direct, "198.51.100.3");
            await AssertCallerCapAsync(third);
        }
        finally
        {
            open.ForEach(r => r.Dispose());
        }
    }

    [Theory]
    [InlineData(true, "127.0.0.1")]
    [InlineData(true, "127.0.0.2")]
    [InlineData(false, "127.0.0.1")]
    public async Task A_keyless_admin_request_through_nginx_is_not_local_though_every_address_on_the_way_is_loopback(bool trusted, string client)
    {
        // No API key: admin answers only to the local caller. nginx runs on this machine and forwards a loopback client;
        // trusted, the silo sees that client's address, untrusted, nginx's own. Neither is the local caller.
        await using var silo = await SiloProcess.StartAsync(Settings(trusted));
        await using var nginx = await DeployedNginx.StartAsync(silo.HttpPort);
        using var throughNginx = ClientFrom(client, nginx.BaseAddress);
        using var direct = ClientFrom(client, silo.BaseAddress);

        using var forwarded = await throughNginx.GetAsync("admin/functions");
        using var local = await direct.GetAsync("admin/functions");

        var problem = await ProblemAsync(forwarded, HttpStatusCode.Forbidden);
        Assert.Contains("answers only on loopback", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
    }

    private static async Task<HttpResponseMessage> OpenStreamAsync(HttpClient http, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"sse/{Unique("proxied")}");
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static async Task AssertCallerCapAsync(HttpResponseMessage response)
    {
        var problem = await ProblemAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Contains("Gateway:MaxConnectionsPerCaller", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>An HTTP client whose connections leave from <paramref name="source"/> (any 127.x address is this machine).</summary>
    private static HttpClient ClientFrom(string source, Uri baseAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
                    await socket.ConnectAsync(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }
}
