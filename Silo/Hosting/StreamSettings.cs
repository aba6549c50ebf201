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
}
