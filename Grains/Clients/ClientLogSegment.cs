using SseVirtualization.Clients;

namespace SseVirtualization.Grains.Clients;

/// <summary>
/// One stored slice of a client's event log: ids <c>index * size + 1</c> to <c>(index + 1) * size</c>. Only the
/// newest segment (the head) changes; it also carries the async invocations accepted but not yet answered,
/// so recording a result and settling its invocation is one write.
/// </summary>
[GenerateSerializer, Alias("sse.ClientLogSegment")]
internal sealed class ClientLogSegment
{
    [Id(0)]
    public List<StoredEvent> Events { get; set; } = [];

    /// <summary>Accepted async invocations without a result yet, by request id (head segment only).</summary>
    [Id(1)]
    public Dictionary<string, PendingInvocation> Pending { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>An event as stored, with whether it was published to a silo holding a connection at the time.</summary>
[GenerateSerializer, Immutable, Alias("sse.StoredEvent")]
internal sealed record StoredEvent(
    [property: Id(0)] ClientEvent Event,
    [property: Id(1)] bool DeliveredLive);
