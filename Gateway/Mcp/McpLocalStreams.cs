using Microsoft.Extensions.Logging;
using SseVirtualization.Gateway.Connections;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// The MCP streams this silo holds, by session, and the sessions' watches on this silo
/// (<see cref="IMcpSessionGrain.WatchAsync"/>): a session pushes each message it stores to the silos watching it, and
/// this hands the message to the session's streams here (<see cref="ISiloMcpGrain"/>). A session stays watched for
/// <see cref="Linger"/> after its last stream here closes, so a client that resumes or opens the next stream does not
/// rewrite the session each time; <see cref="McpWatchSweeper"/> ends the watches left idle.
/// </summary>
internal sealed partial class McpLocalStreams(IGrainFactory grains, SiloIdentity silo, TimeProvider time, ILogger<McpLocalStreams> logger)
{
    /// <summary>How long a session stays watched with no stream of it here.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Watch> _sessions = new(StringComparer.Ordinal);

    /// <summary>Sessions watched from here (with or without an open stream).</summary>
    public int WatchedSessions
    {
        get
        {
            lock (_sessions)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>
    /// Opens a live view of <paramref name="stream"/> of session <paramref name="sessionId"/>: every message the session
    /// stores from the moment this returns. Open it before reading what is stored, and nothing falls in between.
    /// </summary>
    public async Task<McpLiveMessages> OpenAsync(string sessionId, int stream)
    {
        var live = new McpLiveMessages(this, sessionId, stream);
        Task watching;
        lock (_sessions)
        {
            if (!_sessions.TryGetValue(sessionId, out var watch))
            {
                _sessions[sessionId] = watch = new Watch();
            }

            watch.Streams.Add(live);
            if (!watch.Watched)
            {
                watch.Watched = true;
                watch.Pending = After(watch.Pending, () => Session(sessionId).WatchAsync(silo.Id));
            }

            watching = watch.Pending;
        }

        try
        {
            await watching;
        }
        catch
        {
            lock (_sessions)
            {
                if (_sessions.TryGetValue(sessionId, out var watch))
                {
                    watch.Streams.Remove(live);
                    if (watch.Pending == watching)
                    {
                        watch.Watched = false; // the next stream asks again
                    }

                    if (!watch.Watched && watch.Streams.Count == 0)
                    {
                        _sessions.Remove(sessionId);
                    }
                }
            }

            throw;
        }

        return live;
    }

    /// <summary>Hands a message a session pushed to its streams here; dropped when none is open.</summary>
    public void Deliver(McpStreamEvent message)
    {
        lock (_sessions)
        {
            if (_sessions.TryGetValue(message.SessionId, out var watch))
            {
                foreach (var live in watch.Streams)
                {
                    live.Offer(message);
                }
            }
        }
    }

    /// <summary>
    /// Ends the watches of sessions with no stream here for <see cref="Linger"/>, or, with <paramref name="all"/> (the
    /// silo is stopping, and its clients resume elsewhere), every watch; returns how many ended.
    /// </summary>
    public async Task<int> SweepAsync(bool all = false)
    {
        var now = time.GetUtcNow();
        var ended = new List<(string SessionId, Task Unwatching)>();
        lock (_sessions)
        {
            foreach (var (sessionId, watch) in _sessions)
            {
                if (watch.Watched && (all || (watch.Streams.Count == 0 && now - watch.IdleSince >= Linger)))
                {
                    watch.Watched = false;
                    watch.Pending = After(watch.Pending, () => Session(sessionId).UnwatchAsync(silo.Id));
                    ended.Add((sessionId, watch.Pending));
                }
            }
        }

        foreach (var (sessionId, unwatching) in ended)
        {
            try
            {
                await unwatching;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The session keeps pushing here until this silo dies; what arrives finds no stream and is dropped.
                LogUnwatchFailed(logger, ex, sessionId);
            }

            lock (_sessions)
            {
                if (_sessions.TryGetValue(sessionId, out var watch) && !watch.Watched && watch.Streams.Count == 0 && watch.Pending == unwatching)
                {
                    _sessions.Remove(sessionId);
                }
            }
        }

        return ended.Count;
    }

    internal void Close(McpLiveMessages live)
    {
        lock (_sessions)
        {
            if (_sessions.TryGetValue(live.SessionId, out var watch) && watch.Streams.Remove(live) && watch.Streams.Count == 0)
            {
                watch.IdleSince = time.GetUtcNow();
            }
        }
    }

    private IMcpSessionGrain Session(string sessionId) => grains.ReferenceTo<IMcpSessionGrain>(sessionId);

    /// <summary>Runs <paramref name="next"/> once <paramref name="previous"/> ended, whatever its outcome: a session's watch and unwatch reach it in order.</summary>
    private static async Task After(Task previous, Func<Task> next)
    {
        try
        {
            await previous;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Its own caller saw it.
            _ = ex;
        }

        await next();
    }

    private sealed class Watch
    {
        public List<McpLiveMessages> Streams { get; } = [];

        /// <summary>Whether the session has been asked to push here (and not since asked to stop).</summary>
        public bool Watched { get; set; }

        /// <summary>The last watch or unwatch sent: the next waits for it.</summary>
        public Task Pending { get; set; } = Task.CompletedTask;

        public DateTimeOffset IdleSince { get; set; }
    }
}
