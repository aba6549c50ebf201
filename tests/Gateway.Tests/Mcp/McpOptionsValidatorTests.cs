using SseVirtualization.Gateway.Mcp;

namespace SseVirtualization.Gateway.Tests.Mcp;

/// <summary>MCP settings the endpoints or sessions cannot work with are refused at start-up, each one named.</summary>
public sealed class McpOptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new McpOptionsValidator().Validate(null, new McpOptions()).Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_bound_that_admits_no_session_is_refused(int bound)
    {
        var result = new McpOptionsValidator().Validate(null, new McpOptions { MaxSessionsPerOwner = bound });

        Assert.True(result.Failed);
        Assert.Contains("Mcp:MaxSessionsPerOwner", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_session_that_would_expire_at_once_is_refused()
    {
        var result = new McpOptionsValidator().Validate(null, new McpOptions { SessionIdleTimeout = TimeSpan.Zero });

        Assert.Contains("Mcp:SessionIdleTimeout", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void An_idempotency_window_longer_than_a_session_is_kept_is_refused()
    {
        var result = new McpOptionsValidator().Validate(null, new McpOptions { IdempotencyWindow = TimeSpan.FromHours(2), SessionIdleTimeout = TimeSpan.FromHours(1) });

        Assert.Contains("Mcp:IdempotencyWindow", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_failure_is_reported_at_once()
    {
        var options = new McpOptions { KeepAliveInterval = TimeSpan.Zero, PollAfter = TimeSpan.FromSeconds(-1), ServerName = " " };
        options.AllowedHosts.Add("");

        var result = new McpOptionsValidator().Validate(null, options);

        Assert.Equal(4, result.Failures!.Count());
        Assert.Contains("Mcp:KeepAliveInterval", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Mcp:PollAfter", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Mcp:ServerName", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Mcp:AllowedHosts", result.FailureMessage, StringComparison.Ordinal);
    }
}
