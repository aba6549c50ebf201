using SseVirtualization.Gateway.Hosting;

namespace SseVirtualization.Gateway.Tests.Hosting;

public sealed class GatewayOptionsValidatorTests
{
    [Theory]
    [InlineData("00:00:00.500")]
    [InlineData("01:00:01")]
    public void A_dead_peer_timeout_outside_one_second_to_one_hour_is_refused_naming_the_setting(string timeout)
    {
        var result = new GatewayOptionsValidator().Validate(null, new GatewayOptions { DeadPeerTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.True(result.Failed);
        Assert.Contains("Gateway:DeadPeerTimeout", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_dead_peer_timeout_is_accepted()
    {
        Assert.True(new GatewayOptionsValidator().Validate(null, new GatewayOptions()).Succeeded);
    }
}
