using SseVirtualization.Grains.Mcp;

namespace SseVirtualization.Grains.Tests.Mcp;

/// <summary>MCP session settings that would refuse every session are refused at start-up, naming the setting.</summary>
public sealed class McpSessionOptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new McpSessionOptionsValidator().Validate(null, new McpSessionOptions()).Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_bound_that_admits_no_session_is_refused(int bound)
    {
        var result = new McpSessionOptionsValidator().Validate(null, new McpSessionOptions { MaxSessionsPerOwner = bound });

        Assert.True(result.Failed);
        Assert.Contains("MaxSessionsPerOwner", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_session_that_would_expire_at_once_is_refused()
    {
        var result = new McpSessionOptionsValidator().Validate(null, new McpSessionOptions { SessionIdleTimeout = TimeSpan.Zero });

        Assert.Contains("SessionIdleTimeout", result.FailureMessage, StringComparison.Ordinal);
    }
}
