using SseVirtualization.Clients;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// The id the <c>connected</c> event carries: the position the stream starts after. A client that loses the stream
/// before any result still reconnects with a Last-Event-ID (a browser's EventSource sends the last id it saw, from
/// any event), so a result counted as sent to a connection that died unread is replayed from the log on any silo.
/// </summary>
internal static class ResumePosition
{
    /// <param name="lastEventId">The Last-Event-ID the client connected with, if any.</param>
    /// <param name="backlog">The first page of events the stream writes before live ones.</param>
    public static long Of(long? lastEventId, EventBatch backlog)
    {
        if (lastEventId is { } requested)
        {
            // Resuming again from the same id replays the same events (and the same gap, if the log lost some). An id
            // beyond the log's newest (the log was reset) resumes from the newest: live events are numbered after it.
            return Math.Min(requested, backlog.LastEventId);
        }

        // Without an id the stream replays what never reached a socket, oldest first: the position must not skip it.
        // Resuming from just before the oldest of those may replay events a previous connection already wrote (when
        // some unsent ones are older than sent ones), never fewer.
        return backlog.Events.Count > 0 ? backlog.Events[0].Id - 1 : backlog.LastEventId;
    }
}
