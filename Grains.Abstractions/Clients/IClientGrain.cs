using Orleans.Concurrency;

namespace SseVirtualization.Clients;

/// <summary>
/// One SSE client (key: client id). It numbers the client's events, keeps the recent ones in a bounded,
/// persisted log (the source of truth for replay), knows which silos hold the client's connections and
/// publishes each event to those silos' streams (<see cref="Streams.StreamNames"/>).
/// </summary>
/// <remarks>
/// Version 1 added <see cref="GetInvocationAsync"/> to the release of 2026-12-03 (version 0): a call from this build to a
/// client active on a silo of that release moves the client to a silo of this one. Methods of version 0 keep their
/// signatures. Version 2 added <see cref="OpenConnectionAsync"/> and <see cref="CloseConnectionAsync"/>, which name the
/// connection; <see cref="ConnectAsync"/> and <see cref="DisconnectAsync"/> stay for a gateway of an earlier release, and
/// for a grain still active on a silo of one, which cannot read the new calls (the gateway's <c>ClientRegistration</c> then
/// falls back to them).
/// </remarks>
[Orleans.CodeGeneration.Version(2)]
public interface IClientGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records a connection held by <paramref name="siloId"/> and returns the events it must write before live
    /// ones: those after <paramref name="lastEventId"/> when given, otherwise every event not yet sent.
    /// </summary>
    Task<EventBatch> ConnectAsync(string siloId, long? lastEventId);

    /// <summary>
    /// Records that one connection held by <paramref name="siloId"/> has closed, having written events up to
    /// <paramref name="lastWrittenId"/> (-1 when unknown). When it was the client's last connection, events after
    /// that id count as not sent, so the next connection without Last-Event-ID gets them.
    /// </summary>
    Task DisconnectAsync(string siloId, long lastWrittenId);

    /// <summary>
    /// Records the connection <paramref name="connectionId"/> held by <paramref name="siloId"/> and returns the events it
    /// must write before live ones, as <see cref="ConnectAsync"/> does. Recording an id already recorded changes nothing.
    /// </summary>
    Task<EventBatch> OpenConnectionAsync(string siloId, string connectionId, long? lastEventId);

    /// <summary>
    /// Records that the connection <paramref name="connectionId"/> has closed, as <see cref="DisconnectAsync"/> does. An id
    /// that is not recorded (its open failed before the grain recorded it, or it was closed already) changes nothing: a
    /// close that arrives late can never take away another connection of the same client.
    /// </summary>
    Task CloseConnectionAsync(string siloId, string connectionId, long lastWrittenId);

    /// <summary>The stored events after <paramref name="afterId"/>: how a connection fills a hole in what it received.</summary>
    Task<EventBatch> GetEventsAfterAsync(long afterId);

    /// <summary>The id of the newest event (0 when none): a cheap check that a connection has missed nothing.</summary>
    [AlwaysInterleave]
    Task<long> GetLastEventIdAsync();

    /// <summary>
    /// Where the async invocation <paramref name="requestId"/> of this client stands: pending in the ledger, or its logged
    /// result (what an MCP task reads, on any silo).
    /// </summary>
    Task<InvocationProgress> GetInvocationAsync(string requestId);

    /// <summary>Numbers, stores and delivers an event; it waits in the log while the client is not connected.</summary>
    Task<ClientEvent> PublishAsync(string type, string dataJson);
}
