namespace SseVirtualization.Grains.Clients;

/// <summary>
/// The small record written when connections come and go. The events themselves live in log segments
/// (<see cref="ClientLogSegment"/>), so a connect never rewrites the log and an event never rewrites this.
/// </summary>
[GenerateSerializer, Alias("sse.ClientState")]
internal sealed class ClientState
{
    /// <summary>Index of the newest log segment when this record was last written (a later one may exist).</summary>
    [Id(0)]
    public long HeadSegment { get; set; }

    /// <summary>Index of the oldest segment still stored.</summary>
    [Id(1)]
    public long OldestSegment { get; set; }

    /// <summary>Events up to this id were handed to a connection when one opened.</summary>
    [Id(2)]
    public long SentThroughId { get; set; }

    /// <summary>Silos holding this client's connections, with how many each holds (those in <see cref="Connections"/> included).</summary>
    [Id(3)]
    public Dictionary<string, int> Silos { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Events per segment when this client's log was started: later changes of the option apply to new clients only.</summary>
    [Id(4)]
    public int SegmentSize { get; set; }

    /// <summary>
    /// Set when the last connection closed: the last id it wrote. Events after it were published to that
    /// connection's silo but never reached the socket. -1 when not set.
    /// </summary>
    [Id(5)]
    public long ResumeAfterId { get; set; } = -1;

    /// <summary>
    /// UTF-8 bytes of event data in each stored segment behind the head, by segment index: what the log's byte bound
    /// (<see cref="ClientOptions.MaxLogBytes"/>) counts without reading old segments. Written with this record when the
    /// head moves on or the log is trimmed.
    /// </summary>
    [Id(6)]
    public Dictionary<long, long> SegmentBytes { get; set; } = [];

    /// <summary>
    /// The newest id issued when the age sweep last emptied the log (0: never). The numbering then went on after the end
    /// of that id's segment, so ids up to that end were never issued: a client resuming from this id has missed nothing.
    /// </summary>
    [Id(7)]
    public long SkippedAfterId { get; set; }

    /// <summary>
    /// Whether the reminder that deletes expired events is registered (see <see cref="ClientOptions.ExpirySweepInterval"/>):
    /// set while the log holds events, so registering costs one reminder write per stretch of activity, not one per event.
    /// </summary>
    [Id(8)]
    public bool ExpiryReminderSet { get; set; }

    /// <summary>
    /// The connections recorded by id (<see cref="SseVirtualization.Clients.IClientGrain.OpenConnectionAsync"/>), each with the silo holding
    /// it; each also counts in <see cref="Silos"/>. A gateway of an earlier release records connections by count only.
    /// </summary>
    [Id(9)]
    public Dictionary<string, string> Connections { get; set; } = new(StringComparer.Ordinal);
}
