using Orleans.Concurrency;

namespace SseVirtualization.Mcp;

/// <summary>
/// One MCP session (key: the <c>Mcp-Session-Id</c>), persisted so any silo can serve it. It keeps what the
/// initialize handshake settled and a bounded log of the server-to-client messages of its SSE streams, so a stream
/// resumed with <c>Last-Event-ID</c> on another silo replays from here. Live messages are pushed, as they are stored, to
/// the silos that watch the session (<see cref="WatchAsync"/>): those holding one of its streams.
/// </summary>
/// <remarks>
/// Version 1 added methods to the release of 2026-12-03 (version 0), and version 2 the watches, so a call from this
/// build to a session active on a silo of an older build moves the session to a silo of this one (Orleans'
/// backward-compatible versioning). Methods of version 0 keep their signatures: silos of that release still call them.
/// </remarks>
[Orleans.CodeGeneration.Version(2)]
public interface IMcpSessionGrain : IGrainWithStringKey
{
    /// <summary>Starts the session, in a slot of its owner (<see cref="IMcpSessionOwnerGrain"/>).</summary>
    Task<McpSessionStart> StartSessionAsync(McpSessionInfo info);

    /// <summary>
    /// The start of the release of 2026-12-03, for its silos during a rolling upgrade: <c>true</c> when the session
    /// started. This build calls <see cref="StartSessionAsync"/>.
    /// </summary>
    Task<bool> StartAsync(McpSessionInfo info);

    /// <summary>
    /// Starts the session unless it exists and has not expired (then it is left as it is); one call, so two first requests
    /// cannot race. <see cref="McpSessionStart.IdInUse"/> means it was live already.
    /// </summary>
    Task<McpSessionStart> StartOrRenewAsync(McpSessionInfo info);

    /// <summary>When the session expires if not used before, without counting this as a use; null when it has ended or expired.</summary>
    [AlwaysInterleave]
    Task<DateTimeOffset?> ExpiresAtAsync();

    /// <summary>
    /// Records the handshake of a legacy (HTTP+SSE) session, which exists from its GET on and is initialized later
    /// through a POST. Returns <c>false</c> when there is no such session.
    /// </summary>
    Task<bool> CompleteHandshakeAsync(McpSessionInfo info);

    /// <summary>The session, or null when it never existed, has ended or has expired.</summary>
    [AlwaysInterleave]
    Task<McpSessionInfo?> GetAsync();

    /// <summary>Records the client's <c>logging/setLevel</c>.</summary>
    Task SetLogLevelAsync(string level);

    /// <summary>Allots the number of a new POST response stream (the standalone stream is <see cref="McpEventId.StandaloneStream"/>).</summary>
    Task<int> OpenStreamAsync();

    /// <summary>Numbers, stores and publishes one JSON-RPC message of <paramref name="stream"/>; returns its event id.</summary>
    Task<string> AppendAsync(int stream, string messageJson);

    /// <summary>The stored messages of <paramref name="stream"/> after <paramref name="afterSequence"/>, oldest first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<McpStreamEvent>> ReplayAsync(int stream, long afterSequence);

    /// <summary>Records that the session has an upstream session with the MCP server <paramref name="registration"/>.</summary>
    Task AddUpstreamAsync(string registration);

    /// <summary>The MCP server registrations this session has upstream sessions with (to pass on cancellations, levels, its end).</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> UpstreamsAsync();

    /// <summary>Ends the session (DELETE): later requests with its id get 404.</summary>
    Task<bool> EndAsync();

    /// <summary>
    /// From now on, pushes each message the session stores to silo <paramref name="siloId"/> (<see cref="ISiloMcpGrain"/>),
    /// until <see cref="UnwatchAsync"/> or that silo's death. Stored with the session, so a session that moves to another
    /// silo keeps pushing.
    /// </summary>
    Task WatchAsync(string siloId);

    /// <summary>Stops pushing the session's messages to silo <paramref name="siloId"/>.</summary>
    Task UnwatchAsync(string siloId);
}

/// <summary>What starting a session did.</summary>
public enum McpSessionStart
{
    /// <summary>The session started.</summary>
    Started,

    /// <summary>A live session has this id (for <see cref="IMcpSessionGrain.StartOrRenewAsync"/>: it was renewed).</summary>
    IdInUse,

    /// <summary>Refused: its owner already holds <c>Mcp:MaxSessionsPerOwner</c> live sessions.</summary>
    OwnerAtLimit,
}
