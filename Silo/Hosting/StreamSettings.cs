namespace SseVirtualization.Silo.Hosting;

/// <summary>Delivery stream settings (configuration section <c>Streams</c>).</summary>
internal sealed class StreamSettings
{
    public const string SectionName = "Streams";

    /// <summary>
    /// How often each pulling agent polls its memory-stream queue. Orleans' default (100 ms) puts up to that much
    /// delay on every result; shorter costs a little idle CPU.
    /// </summary>
    public TimeSpan PollingPeriod { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// What is wrong with these settings, every failure at once (read before the host is built, as Orleans' stream
    /// provider needs them then, so checked with the silo's own settings rather than through IValidateOptions).
    /// </summary>
    public IReadOnlyList<string> Validate() => PollingPeriod <= TimeSpan.Zero || PollingPeriod > TimeSpan.FromSeconds(10)
        ? [$"{SectionName}:PollingPeriod must be more than 0 and at most 00:00:10 (it delays every result)."]
        : [];
}
