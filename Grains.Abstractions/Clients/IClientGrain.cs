namespace SseVirtualization.Clients;

/// <summary>
/// One SSE client (key: client id). It numbers the client's events, keeps the recent ones in its state
/// (the source of truth for replay), knows which silos hold the client's connections and publishes each
/// event to those silos' streams (<see cref="Streams.StreamNames"/>).
/// </summary>
public interface IClientGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records a connection held by <paramref name="siloId"/> and returns the events it must write before live
    /// ones: those after <paramref name="lastEventId"/> when given, otherwise every event not yet sent.
    /// </summary>
    Task<IReadOnlyList<ClientEvent>> ConnectAsync(string siloId, long? lastEventId);

    /// <summary>Records that one connection held by <paramref name="siloId"/> has closed.</summary>
    Task DisconnectAsync(string siloId);

    /// <summary>Numbers, stores and delivers an event; it waits in the grain while the client is not connected.</summary>
    Task<ClientEvent> PublishAsync(string type, string dataJson);
}
