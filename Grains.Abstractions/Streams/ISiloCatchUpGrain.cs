namespace SseVirtualization.Streams;

/// <summary>
/// The connections one silo holds, as client grains see them (key: the silo's id; always activated on that silo).
/// Live delivery is fire and forget, and a lost <em>last</em> event leaves no hole a connection could notice, so a client
/// grain that sent events to a silo tells it, a little later, the newest id it has: the silo's connections of that client
/// that wrote less fetch the rest from the log. Only clients that had events are asked about, so an idle client's grain
/// is left alone and can deactivate.
/// </summary>
public interface ISiloCatchUpGrain : IGrainWithStringKey
{
    /// <summary>
    /// Has each of this silo's connections of <paramref name="clientId"/> that has written events, but none as new as
    /// <paramref name="newestId"/>, fetch the rest from the client's log.
    /// </summary>
    Task CatchUpAsync(string clientId, long newestId);
}
