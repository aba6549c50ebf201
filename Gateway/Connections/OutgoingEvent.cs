namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// An event queued for one connection. <see cref="Id"/> 0 means "send no id line"; <see cref="Retry"/>, when set,
/// changes the client's reconnection delay; <see cref="TraceParent"/> is the W3C context of the trace that
/// produced the event.
/// </summary>
internal readonly record struct OutgoingEvent(long Id, string Type, string Data, TimeSpan? Retry = null, string? TraceParent = null);
