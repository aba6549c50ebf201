using Microsoft.Extensions.Options;

namespace SseVirtualization.Gateway.Hosting;

/// <summary>HTTP front-end settings (configuration section <c>Gateway</c>).</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>How often every connection gets a <c>heartbeat</c> event.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>retry:</c> hint sent to clients: how long to wait before reconnecting.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The largest request body accepted on <c>/admin</c> and <c>/invoke</c>; bigger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Events that may wait for one slow connection. A connection whose queue overflows is closed; the client
    /// reconnects with Last-Event-ID and its client grain replays what it missed.
    /// </summary>
    public int ConnectionQueueCapacity { get; set; } = 1024;
}

internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        if (options.HeartbeatInterval < TimeSpan.FromMilliseconds(100))
        {
            failures.Add($"{GatewayOptions.SectionName}:HeartbeatInterval must be at least 100 ms.");
        }

        if (options.ReconnectDelay <= TimeSpan.Zero)
        {
            failures.Add($"{GatewayOptions.SectionName}:ReconnectDelay must be positive.");
        }

        if (options.MaxRequestBodyBytes < 1024)
        {
            failures.Add($"{GatewayOptions.SectionName}:MaxRequestBodyBytes must be at least 1024.");
        }

        if (options.ConnectionQueueCapacity < 16)
        {
            failures.Add($"{GatewayOptions.SectionName}:ConnectionQueueCapacity must be at least 16.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
