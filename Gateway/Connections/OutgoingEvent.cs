namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// An event queued for one connection. <see cref="Id"/> 0 means "send no id line", and a negative id is no event but a
/// request to fetch from the client's log the events up to its magnitude that were not written (<see cref="CatchUpTo"/>);
/// <see cref="Retry"/>, when set, changes the client's reconnection delay; <see cref="TraceParent"/> is the W3C context
/// of the trace that produced the event.
/// </summary>
internal readonly record struct OutgoingEvent(long Id, string Type, string Data, TimeSpan? Retry = null, string? TraceParent = null)
{
    /// <summary>A request to fetch the events up to <paramref name="newestId"/> that were not written.</summary>
    public static OutgoingEvent CatchUpTo(long newestId) => new(-Math.Max(1, newestId), string.Empty, string.Empty);
}
