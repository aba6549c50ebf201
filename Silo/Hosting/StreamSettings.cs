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
    /// Memory-stream queues in the cluster. Each is polled every <see cref="PollingPeriod"/> whether or not anything
    /// flows (a grain call each time), and a poll drains its queue, so more queues spread the stream messages of a busy
    /// cluster over more silos but cost idle CPU. Orleans' default, 8, stays the default: every silo must use the same
    /// count (a stream's queue is computed from it, and a silo polls only the queues of its own count), so it can change
    /// only with the whole cluster stopped, never in a rolling upgrade.
    /// </summary>
    public int Queues { get; set; } = 8;

    /// <summary>
    /// What is wrong with these settings, every failure at once (read before the host is built, as Orleans' stream
    /// provider needs them then, so checked with the silo's own settings rather than through IValidateOptions).
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (PollingPeriod <= TimeSpan.Zero || PollingPeriod > TimeSpan.FromSeconds(10))
        {
            failures.Add($"{SectionName}:PollingPeriod must be more than 0 and at most 00:00:10 (it delays every result).");
        }

        if (Queues is < 1 or > 64)
        {
            failures.Add($"{SectionName}:Queues must be from 1 to 64.");
        }

        return failures;
    }
}
