using Microsoft.Extensions.Options;

namespace SseVirtualization.Grains.Mcp;

/// <summary>MCP session settings (configuration section <c>Mcp</c>; the front end reads the same section).</summary>
public sealed class McpSessionOptions
{
    public const string SectionName = "Mcp";

    /// <summary>How many recent server-to-client messages a session keeps for streams resumed with Last-Event-ID.</summary>
    public int MaxStoredMessages { get; set; } = 200;

    /// <summary>
    /// How many characters of messages a session keeps at most (the newest message is always kept): a session
    /// that passes large tool results is not rewritten whole with megabytes on every message.
    /// </summary>
    public long MaxStoredChars { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a server request of a remote MCP server (sampling, elicitation, roots) may wait for the client's answer.
    /// The registration's timeout stops meanwhile, since a person may be answering; after this the request is given up.
    /// </summary>
    public TimeSpan ClientAnswerTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A session unused for this long has expired: its id then gets 404 and the client starts a new one.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How many live sessions one owner (an API key, a token subject, or anonymous callers on loopback together) may hold,
    /// 2026-07-28 clients' sessions included: each is stored until it ends or expires, so without a bound one caller
    /// could fill storage by starting sessions.
    /// </summary>
    public int MaxSessionsPerOwner { get; set; } = 100;
}

/// <summary>Refuses settings that would refuse every session or keep none of its messages.</summary>
internal sealed class McpSessionOptionsValidator : IValidateOptions<McpSessionOptions>
{
    public ValidateOptionsResult Validate(string? name, McpSessionOptions options)
    {
        var failures = new List<string>();
        if (options.MaxSessionsPerOwner < 1)
        {
            failures.Add($"{McpSessionOptions.SectionName}:MaxSessionsPerOwner must be at least 1.");
        }

        if (options.MaxStoredMessages < 1 || options.MaxStoredChars < 1)
        {
            failures.Add($"{McpSessionOptions.SectionName}:MaxStoredMessages and MaxStoredChars must be at least 1.");
        }

        if (options.SessionIdleTimeout <= TimeSpan.Zero || options.ClientAnswerTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{McpSessionOptions.SectionName}:SessionIdleTimeout and ClientAnswerTimeout must be positive.");
        }

        return failures.Count > 0
            ? ValidateOptionsResult.Fail(failures)
            : ValidateOptionsResult.Success;
    }
}
