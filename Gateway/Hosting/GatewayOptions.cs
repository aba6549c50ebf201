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

    /// <summary>
    /// Bytes of events that may wait for one connection, counted as held in memory (two per character of JSON, the
    /// event being written included). Overflow closes the connection as <see cref="ConnectionQueueCapacity"/> does. A
    /// queue holding nothing takes one event of any size, so a result larger than this still reaches a client that reads.
    /// </summary>
    public long MaxQueuedBytesPerConnection { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Bytes of events that may wait in all of this silo's connection queues together. Once they are reached, a
    /// connection that is given an event is closed instead (no exception for an empty queue); it resumes from the log.
    /// </summary>
    public long MaxQueuedBytesPerSilo { get; set; } = 256L * 1024 * 1024;

    /// <summary>Open streams one client id may hold on one silo (tabs, devices); more are refused with 429.</summary>
    public int MaxConnectionsPerClient { get; set; } = 32;

    /// <summary>
    /// Open streams one caller (token subject, API key, or else address) may hold on one silo, over all client ids;
    /// more are refused with 429. 0 turns it off (load tests from a few addresses do).
    /// </summary>
    public int MaxConnectionsPerCaller { get; set; } = 2000;

    /// <summary>The <c>retry:</c> hint sent with the <c>reconnect</c> event when the silo shuts down.</summary>
    public TimeSpan ShutdownReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a connection may go without the peer acknowledging what was sent (heartbeats included), or answering
    /// keepalive probes when nothing was, before the kernel drops it: a client whose network vanished without a FIN.
    /// </summary>
    public TimeSpan DeadPeerTimeout { get; set; } = TimeSpan.FromSeconds(60);
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

        if (options.MaxConnectionsPerCaller < 0)
        {
            failures.Add($"{GatewayOptions.SectionName}:MaxConnectionsPerCaller must be 0 (off) or more.");
        }

        if (options.MaxConnectionsPerClient < 1)
        {
            failures.Add($"{GatewayOptions.SectionName}:MaxConnectionsPerClient must be at least 1.");
        }

        if (options.ShutdownReconnectDelay <= TimeSpan.Zero)
        {
            failures.Add($"{GatewayOptions.SectionName}:ShutdownReconnectDelay must be positive.");
        }

        if (options.ConnectionQueueCapacity < 16)
        {
            failures.Add($"{GatewayOptions.SectionName}:ConnectionQueueCapacity must be at least 16.");
        }

        if (options.MaxQueuedBytesPerConnection < 64 * 1024 || options.MaxQueuedBytesPerSilo < options.MaxQueuedBytesPerConnection)
        {
            failures.Add($"{GatewayOptions.SectionName}:MaxQueuedBytesPerConnection must be at least 65536 and MaxQueuedBytesPerSilo at least as large.");
        }

        if (options.DeadPeerTimeout < TimeSpan.FromSeconds(1) || options.DeadPeerTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{GatewayOptions.SectionName}:DeadPeerTimeout must be between 00:00:01 and 01:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
