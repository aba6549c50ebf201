namespace SseVirtualization.Gateway.Connections;

/// <summary>An event queued for one connection. <see cref="Id"/> 0 means "send no id line".</summary>
internal readonly record struct OutgoingEvent(long Id, string Type, string Data);
