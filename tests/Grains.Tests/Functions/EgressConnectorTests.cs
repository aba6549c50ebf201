using System.Net;
using System.Net.Sockets;
using SseVirtualization.Grains.Functions;
using SseVirtualization.Grains.Functions.Routing;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Grains.Tests.Functions;

/// <summary>The call-time check: a name is resolved and checked when the connection is made, not only at registration.</summary>
public sealed class EgressConnectorTests
{
    [Fact]
    public async Task A_name_resolving_to_loopback_is_refused_at_connect_time_unless_loopback_is_allowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        using var refusing = new HttpClient(Handler(new FunctionOptions { AllowLoopback = false }));
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => refusing.GetAsync(new Uri($"http://localhost:{port}/")));
        Assert.IsType<EgressRefusedException>(refused.InnerException);
        Assert.Contains("loopback", refused.InnerException!.Message, StringComparison.Ordinal);

        await using var stub = await StubFunctionServer.StartAsync();
        using var allowing = new HttpClient(Handler(new FunctionOptions { AllowLoopback = true }));
        using var answer = await allowing.GetAsync(new Uri($"http://localhost:{stub.BaseAddress.Port}/ep/anything/health"));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }

    [Fact]
    public async Task An_address_of_this_host_is_refused_at_connect_time_like_loopback_and_the_refusal_names_no_address()
    {
        var own = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .First(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        using var listener = new TcpListener(own, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        // Private networks allowed, loopback not: only being this host's address refuses it.
        using var refusing = new HttpClient(Handler(new FunctionOptions { AllowLoopback = false, AllowPrivateNetworks = true })) { Timeout = TimeSpan.FromSeconds(10) };
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => refusing.GetAsync(new Uri($"http://{own}:{port}/")));
        Assert.IsType<EgressRefusedException>(refused.InnerException);
        Assert.Contains("address of this host", refused.InnerException!.Message, StringComparison.Ordinal);

        var byName = await Assert.ThrowsAsync<HttpRequestException>(() => refusing.GetAsync(new Uri($"http://localhost:{port}/")));
        Assert.StartsWith("localhost ", byName.InnerException!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", byName.InnerException.Message, StringComparison.Ordinal);
    }

    private static SocketsHttpHandler Handler(FunctionOptions options) =>
        new() { ConnectCallback = (context, token) => EgressConnector.ConnectAsync(context, options, token) };
}
