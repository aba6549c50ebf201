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

    private static SocketsHttpHandler Handler(FunctionOptions options) =>
        new() { ConnectCallback = (context, token) => EgressConnector.ConnectAsync(context, options, token) };
}
