using System.Net;
using SseVirtualization.Gateway.Security;

namespace SseVirtualization.Gateway.Tests.Security;

/// <summary>
/// Who the keyless mode's "loopback only" lets in. The end-to-end tests cannot have a caller that is not on loopback
/// (every test server binds loopback), so the remote cases are here.
/// </summary>
public sealed class LocalCallerTests
{
    private static readonly IPAddress Remote = IPAddress.Parse("203.0.113.9");

    [Fact]
    public void A_remote_socket_is_not_local_though_X_Forwarded_For_said_127_0_0_1()
    {
        // ASPNETCORE_FORWARDEDHEADERS_ENABLED=true trusts every proxy and rewrote the address from the header.
        Assert.False(LocalCaller.Is(socketPeer: Remote, connectionAddress: IPAddress.Loopback, rewritten: true));
    }

    [Fact]
    public void A_remote_caller_forwarded_by_a_proxy_on_this_machine_is_not_local()
    {
        Assert.False(LocalCaller.Is(socketPeer: IPAddress.Loopback, connectionAddress: Remote, rewritten: true));
    }

    [Fact]
    public void Without_a_socket_a_rewritten_address_is_not_trusted()
    {
        Assert.False(LocalCaller.Is(socketPeer: null, connectionAddress: IPAddress.Loopback, rewritten: true));
        Assert.True(LocalCaller.Is(socketPeer: null, connectionAddress: IPAddress.Loopback, rewritten: false));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void A_loopback_socket_is_local(string address)
    {
        var peer = IPAddress.Parse(address);
        Assert.True(LocalCaller.Is(socketPeer: peer, connectionAddress: peer, rewritten: false));
    }
}
