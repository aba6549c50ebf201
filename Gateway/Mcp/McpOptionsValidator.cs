using Microsoft.Extensions.Options;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>Refuses MCP settings the endpoints or the sessions cannot work with, every one at once, naming each.</summary>
internal sealed class McpOptionsValidator : IValidateOptions<McpOptions>
{
    public ValidateOptionsResult Validate(string? name, McpOptions options)
    {
        var failures = new List<string>();
        if (options.AllowedHosts.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add($"{McpOptions.SectionName}:AllowedHosts may not hold an empty name.");
        }

        if (options.ReconnectDelay <= TimeSpan.Zero || options.KeepAliveInterval <= TimeSpan.Zero)
        {
            failures.Add($"{McpOptions.SectionName}:ReconnectDelay and {McpOptions.SectionName}:KeepAliveInterval must be positive.");
        }

        if (options.PollAfter is { } pollAfter && pollAfter <= TimeSpan.Zero)
        {
            failures.Add($"{McpOptions.SectionName}:PollAfter must be positive when set.");
        }

        if (options.MaxSessionsPerOwner < 1)
        {
            failures.Add($"{McpOptions.SectionName}:MaxSessionsPerOwner must be at least 1.");
        }

        if (options.MaxStoredMessages < 1 || options.MaxStoredChars < 1)
        {
            failures.Add($"{McpOptions.SectionName}:MaxStoredMessages and MaxStoredChars must be at least 1.");
        }

        if (options.SessionIdleTimeout <= TimeSpan.Zero || options.ClientAnswerTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{McpOptions.SectionName}:SessionIdleTimeout and ClientAnswerTimeout must be positive.");
        }

        if (options.IdempotencyWindow <= TimeSpan.Zero || options.IdempotencyWindow > options.SessionIdleTimeout)
        {
            // Storage drops a record unused for SessionIdleTimeout, so a longer window would promise what it cannot keep.
            failures.Add($"{McpOptions.SectionName}:IdempotencyWindow must be positive and at most SessionIdleTimeout.");
        }

        if (string.IsNullOrWhiteSpace(options.ServerName))
        {
            failures.Add($"{McpOptions.SectionName}:ServerName may not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
