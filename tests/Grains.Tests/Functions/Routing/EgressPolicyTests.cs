using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using SseVirtualization.Grains.Functions.Routing;

namespace SseVirtualization.Grains.Tests.Functions.Routing;

/// <summary>Which addresses and endpoints the egress policy refuses, and with which reason.</summary>
public sealed class EgressPolicyTests
{
    [Theory]
    [InlineData("169.254.169.254", false, false, "link-local")]
    [InlineData("fd00:ec2::254", true, true, "link-local")]
    [InlineData("::ffff:169.254.169.254", true, true, "link-local")]
    [InlineData("fe80::1", true, true, "link-local")]
    [InlineData("0.0.0.0", true, true, "not a unicast")]
    [InlineData("224.0.0.1", true, true, "not a unicast")]
    [InlineData("127.0.0.1", false, true, "loopback")]
    [InlineData("::1", false, true, "loopback")]
    [InlineData("10.1.2.3", true, false, "private")]
    [InlineData("172.20.0.1", true, false, "private")]
    [InlineData("192.168.1.1", true, false, "private")]
    [InlineData("fd12:3456::1", true, false, "private")]
    [InlineData("64:ff9b::a9fe:a9fe", true, true, "link-local")] // NAT64 of 169.254.169.254
    [InlineData("2002:a9fe:a9fe::1", true, true, "link-local")] // 6to4 of 169.254.169.254
    [InlineData("64:ff9b::7f00:1", false, true, "loopback")]
    [InlineData("100.100.100.200", true, true, "metadata")] // Alibaba Cloud
    [InlineData("192.0.0.192", true, true, "metadata")] // Oracle Cloud
    [InlineData("198.18.0.1", true, true, "special-purpose")] // benchmarking, 198.18.0.0/15
    [InlineData("198.19.255.255", true, true, "special-purpose")]
    [InlineData("::127.0.0.1", false, true, "loopback")] // IPv4-compatible
    [InlineData("::a9fe:a9fe", true, true, "link-local")] // IPv4-compatible 169.254.169.254
    [InlineData("::ffff:127.0.0.1", false, true, "loopback")]
    public void Refuses(string address, bool allowLoopback, bool allowPrivate, string reason) =>
        Assert.Contains(reason, EgressPolicy.Refusal(IPAddress.Parse(address), allowLoopback, allowPrivate), StringComparison.Ordinal);

    [Theory]
    [InlineData("127.0.0.1", true, false)]
    [InlineData("10.1.2.3", false, true)]
    [InlineData("172.32.0.1", false, false)]
    [InlineData("93.184.216.34", false, false)]
    [InlineData("2606:4700::1111", false, false)]
    public void Allows(string address, bool allowLoopback, bool allowPrivate) =>
        Assert.Null(EgressPolicy.Refusal(IPAddress.Parse(address), allowLoopback, allowPrivate));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.2")]
    public void Loopback_is_refused_unless_allowed_whatever_the_private_setting(string address)
    {
        Assert.Contains("loopback", Refusal(address, allowLoopback: false, allowPrivate: true), StringComparison.Ordinal);
        Assert.Contains("loopback", Refusal(address, allowLoopback: false, allowPrivate: false), StringComparison.Ordinal);
        Assert.Null(Refusal(address, allowLoopback: true, allowPrivate: false));
    }

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.0")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.0")]
    [InlineData("192.168.255.255")]
    [InlineData("100.64.0.0")] // carrier-grade NAT, 100.64.0.0/10
    [InlineData("100.127.255.255")]
    [InlineData("fc00::1")]
    [InlineData("fdff:ffff::1")]
    [InlineData("fec0::1")] // site-local (deprecated)
    [InlineData("::ffff:10.0.0.1")]
    public void Private_ranges_are_refused_unless_allowed(string address)
    {
        Assert.Contains("private", Refusal(address, allowLoopback: true, allowPrivate: false), StringComparison.Ordinal);
        Assert.Null(Refusal(address, allowLoopback: false, allowPrivate: true));
    }

    [Theory]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.167.255.255")]
    [InlineData("192.169.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("100.100.100.199")] // next to Alibaba's metadata address, inside carrier-grade NAT
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.0")]
    [InlineData("169.253.255.255")]
    [InlineData("169.255.0.0")]
    [InlineData("192.0.1.1")]
    [InlineData("223.255.255.255")]
    [InlineData("fbff::1")]
    [InlineData("fe00::1")]
    [InlineData("2001:db8::1")]
    [InlineData("64:ff9b:1::a9fe:a9fe")] // not the well-known NAT64 prefix
    public void Addresses_just_outside_a_range_are_judged_by_their_own(string address)
    {
        var refusal = Refusal(address, allowLoopback: false, allowPrivate: false);
        if (refusal is not null)
        {
            // Only the carrier-grade NAT neighbours of the metadata address are inside a private range.
            Assert.Contains("private", refusal, StringComparison.Ordinal);
        }

        Assert.Null(Refusal(address, allowLoopback: true, allowPrivate: true));
    }

    [Theory]
    [InlineData("169.254.0.0")]
    [InlineData("169.254.255.255")]
    [InlineData("fe80::1")]
    [InlineData("febf:ffff::1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("192.0.0.0")]
    [InlineData("192.0.0.255")]
    [InlineData("fd00:ec2::254")]
    public void Link_local_and_metadata_addresses_are_refused_even_when_everything_is_allowed(string address) =>
        Assert.Contains("link-local or cloud metadata", Refusal(address, allowLoopback: true, allowPrivate: true), StringComparison.Ordinal);

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("::")]
    [InlineData("224.0.0.0")]
    [InlineData("239.255.255.255")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:224.0.0.1")]
    [InlineData("::0.0.0.2")] // IPv4-compatible 0.0.0.2
    public void Multicast_and_reserved_addresses_are_refused_even_when_everything_is_allowed(string address) =>
        Assert.Contains("not a unicast", Refusal(address, allowLoopback: true, allowPrivate: true), StringComparison.Ordinal);

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("8.8.8.8")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")] // NAT64 of 8.8.8.8
    [InlineData("2002:808:808::1")] // 6to4 of 8.8.8.8
    [InlineData("2001:4860:4860::8888")]
    public void Public_addresses_are_allowed_with_nothing_allowed(string address) =>
        Assert.Null(Refusal(address, allowLoopback: false, allowPrivate: false));

    [Fact]
    public void This_hosts_own_interface_addresses_are_judged_like_loopback()
    {
        var own = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        Assert.NotNull(own); // the test machines have a non-loopback IPv4 interface; without one this test proves nothing

        Assert.Contains("address of this host", EgressPolicy.Refusal(own, allowLoopback: false, allowPrivateNetworks: true), StringComparison.Ordinal);
        Assert.Contains("address of this host", EgressPolicy.Refusal(own.MapToIPv6(), allowLoopback: false, allowPrivateNetworks: true), StringComparison.Ordinal);
        Assert.Null(EgressPolicy.Refusal(own, allowLoopback: true, allowPrivateNetworks: true));
    }

    [Fact]
    public async Task An_endpoint_is_judged_by_its_literal_address()
    {
        Assert.Contains("loopback", await EgressPolicy.EndpointRefusalAsync(new Uri("http://127.0.0.1:8080/fn"), false, false), StringComparison.Ordinal);
        Assert.Contains("loopback", await EgressPolicy.EndpointRefusalAsync(new Uri("http://[::1]:8080/fn"), false, false), StringComparison.Ordinal);
        Assert.Contains("link-local", await EgressPolicy.EndpointRefusalAsync(new Uri("http://169.254.169.254/latest/meta-data"), true, true), StringComparison.Ordinal);
        Assert.Null(await EgressPolicy.EndpointRefusalAsync(new Uri("https://8.8.8.8/fn"), false, false));
    }

    [Fact]
    public async Task An_endpoint_host_name_is_judged_by_what_it_resolves_to()
    {
        Assert.Contains("loopback", await EgressPolicy.EndpointRefusalAsync(new Uri("http://localhost:8080/fn"), false, false), StringComparison.Ordinal);
        Assert.Null(await EgressPolicy.EndpointRefusalAsync(new Uri("http://localhost:8080/fn"), true, false));
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_yet_is_accepted_because_every_connection_is_checked_again() =>
        Assert.Null(await EgressPolicy.EndpointRefusalAsync(new Uri("http://no-such-host.invalid/fn"), false, false));

    [Fact]
    public async Task Only_http_and_https_endpoints_are_accepted() =>
        Assert.Equal("ftp is not http or https", await EgressPolicy.EndpointRefusalAsync(new Uri("ftp://8.8.8.8/fn"), true, true));

    [Fact]
    public void A_refusal_never_names_the_address() =>
        Assert.DoesNotContain("169.254", EgressPolicy.Refusal(IPAddress.Parse("169.254.169.254"), true, true), StringComparison.Ordinal);

    private static string? Refusal(string address, bool allowLoopback, bool allowPrivate) =>
        EgressPolicy.Refusal(IPAddress.Parse(address), allowLoopback, allowPrivate);
}
