namespace SseVirtualization.Clients;

/// <summary>Stored events a connection must write, oldest first, and whether some it asked for are gone.</summary>
/// <param name="Events">The events, in id order.</param>
/// <param name="Gap">Set when events after the requested id have already left the log.</param>
/// <param name="LastEventId">The newest id in the log when the batch was read: once it has written
/// <paramref name="Events"/> (and, with <paramref name="More"/>, the following pages) a connection has accounted
/// for every event up to it.</param>
/// <param name="More">The batch is one page: ask again after its last event for the rest.</param>
[GenerateSerializer, Immutable, Alias("sse.EventBatch")]
public sealed record EventBatch(
    [property: Id(0)] IReadOnlyList<ClientEvent> Events,
    [property: Id(1)] EventGap? Gap,
    [property: Id(2)] long LastEventId,
    [property: Id(3)] bool More = false);

/// <summary>Events after <paramref name="RequestedAfterId"/> and before <paramref name="OldestAvailableId"/> are no longer kept.</summary>
/// <param name="RequestedAfterId">The id the client resumed after.</param>
/// <param name="OldestAvailableId">The oldest id the log still holds (0 when it holds none).</param>
[GenerateSerializer, Immutable, Alias("sse.EventGap")]
public sealed record EventGap(
    [property: Id(0)] long RequestedAfterId,
    [property: Id(1)] long OldestAvailableId);
