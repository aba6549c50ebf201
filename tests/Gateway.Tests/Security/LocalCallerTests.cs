using System.Net;
using Microsoft.AspNetCore.Http;
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
        Assert.False(LocalCaller.Is(socketPeer: Remote, connectionAddress: IPAddress.Loopback, forwarded: true));
    }

    [Fact]
    public void A_remote_caller_forwarded_by_a_proxy_on_this_machine_is_not_local()
    {
        Assert.False(LocalCaller.Is(socketPeer: IPAddress.Loopback, connectionAddress: Remote, forwarded: true));
    }

    [Fact]
    public void Without_a_socket_a_rewritten_address_is_not_trusted()
    {
        Assert.False(LocalCaller.Is(socketPeer: null, connectionAddress: IPAddress.Loopback, forwarded: true));
        Assert.True(LocalCaller.Is(socketPeer: null, connectionAddress: IPAddress.Loopback, forwarded: false));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void A_loopback_socket_is_local(string address)
    {
        var peer = IPAddress.Parse(address);
        Assert.True(LocalCaller.Is(socketPeer: peer, connectionAddress: peer, forwarded: false));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    public void A_request_a_proxy_on_this_machine_forwarded_with_a_loopback_address_is_not_local(string forwardedFor)
    {
        // nginx here, trusted, forwarding a client on this machine (or a caller who wrote X-Forwarded-For: 127.0.0.1).
        Assert.False(LocalCaller.Is(socketPeer: IPAddress.Loopback, connectionAddress: IPAddress.Parse(forwardedFor), forwarded: true));
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.9")]
    [InlineData("X-Original-For", "127.0.0.1:40000")]
    [InlineData("Forwarded", "for=203.0.113.9")]
    public void A_loopback_request_that_carries_a_forwarding_header_is_not_local(string header, string value)
    {
        // A proxy on this machine that nobody configured as trusted: its socket and the address are both loopback.
        var forwarded = new DefaultHttpContext();
        forwarded.Connection.RemoteIpAddress = IPAddress.Loopback;
        forwarded.Request.Headers[header] = value;
        var direct = new DefaultHttpContext();
        direct.Connection.RemoteIpAddress = IPAddress.Loopback;

        Assert.False(LocalCaller.Is(forwarded));
        Assert.True(LocalCaller.Is(direct));
    }
}
