using Microsoft.AspNetCore.HttpOverrides;
using SseVirtualization.Gateway.Security;

namespace SseVirtualization.Gateway.Tests.Security;

/// <summary>Security:ForwardedHeaders: which entries are proxies, and what the middleware is then told to believe.</summary>
public sealed class ForwardedHeadersSettingsTests
{
    private static SecurityOptions With(int forwardLimit = 1, params string[] proxies)
    {
        var options = new SecurityOptions { ForwardedHeaders = { ForwardLimit = forwardLimit } };
        options.ForwardedHeaders.TrustedProxies.AddRange(proxies);
        return options;
    }

    [Fact]
    public void By_default_no_proxy_is_trusted_and_the_settings_are_valid()
    {
        var options = new SecurityOptions();

        Assert.Empty(options.ForwardedHeaders.TrustedProxies);
        Assert.True(new SecurityOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("10.0.0.0/8")]
    [InlineData("172.30.0.10/32")]
    [InlineData("fd00::5")]
    [InlineData("fd00::/8")]
    public void Addresses_and_networks_are_accepted(string entry)
    {
        Assert.True(new SecurityOptionsValidator().Validate(null, With(1, entry)).Succeeded);
    }

    [Theory]
    [InlineData("nginx")]       // a host name: never resolved
    [InlineData("10")]          // .NET reads it as 0.0.0.10
    [InlineData("10/8")]        // .NET reads it as 0.0.0.0/8
    [InlineData("10.1.2.3/8")]  // .NET reads it as all of 10.0.0.0/8
    [InlineData("10.0.0.0/33")]
    [InlineData("")]
    public void An_entry_that_is_not_an_address_or_network_stops_the_silo_naming_it(string entry)
    {
        var result = new SecurityOptionsValidator().Validate(null, With(1, "10.0.0.5", entry));

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains($"Security:ForwardedHeaders:TrustedProxies:1 '{entry}'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forward_limit_below_one_stops_the_silo_naming_it()
    {
        var result = new SecurityOptionsValidator().Validate(null, With(0, "10.0.0.5"));

        Assert.Contains("Security:ForwardedHeaders:ForwardLimit", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void The_middleware_believes_for_and_proto_from_the_configured_proxies_only()
    {
        var middleware = TrustedProxies.OptionsFor(With(2, "10.0.0.5", "fd00::/8").ForwardedHeaders);

        Assert.Equal(ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, middleware.ForwardedHeaders);
        Assert.Equal(2, middleware.ForwardLimit);

        // ASP.NET Core's own default trusts loopback; a proxy on this machine must be configured like any other.
        Assert.Empty(middleware.KnownProxies);
        Assert.Equal([System.Net.IPNetwork.Parse("10.0.0.5/32"), System.Net.IPNetwork.Parse("fd00::/8")], middleware.KnownIPNetworks);
    }
}
