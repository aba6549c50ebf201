using Microsoft.Extensions.Logging;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// The MCP streams this silo holds, by session, and the sessions' watches on this silo
/// (<see cref="IMcpSessionGrain.WatchAsync"/>): a session pushes each message it stores to the silos watching it, and
/// this hands the message to the session's streams here (<see cref="ISiloMcpGrain"/>). A session stays watched for
/// <see cref="Linger"/> after its last stream here closes, so a client that resumes or opens the next stream does not
/// rewrite the session each time; <see cref="McpWatchSweeper"/> ends the watches left idle.
/// </summary>
internal sealed partial class McpLocalStreams(IMcpWatches watches, TimeProvider time, ILogger<McpLocalStreams> logger)
{
    /// <summary>How long a session stays watched with no stream of it here.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Watch> _sessions = new(StringComparer.Ordinal);

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
                watch.Pending = After(watch.Pending, () => watches.WatchAsync(sessionId));
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

    /// <summary>The sessions with a standalone stream here (GET <c>/mcp</c> or the legacy <c>/mcp/sse</c>): those told when the tool catalog changes.</summary>
    public IReadOnlyList<string> SessionsWithStandaloneStream()
    {
        lock (_sessions)
        {
            return [.. _sessions.Where(session => session.Value.Streams.Exists(live => live.Stream == McpEventId.StandaloneStream)).Select(session => session.Key)];
        }
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
    /// Ends the watches of sessions with no stream here for <see cref="Linger"/>. With <paramref name="reassert"/>, asks
    /// the sessions with streams here to watch again (no write when they still list this silo): a session grain of an
    /// earlier release rewrites its record without the watchers during a rolling upgrade, and this restores them.
    /// </summary>
    public async Task SweepAsync(bool reassert)
    {
        var now = time.GetUtcNow();
        var sent = new List<(string SessionId, Task Call, bool Unwatch)>();
        lock (_sessions)
        {
            foreach (var (sessionId, watch) in _sessions)
            {
                if (watch.Watched && watch.Streams.Count == 0 && now - watch.IdleSince >= Linger)
                {
                    watch.Watched = false;
                    watch.Pending = After(watch.Pending, () => watches.UnwatchAsync(sessionId));
                    sent.Add((sessionId, watch.Pending, true));
                }
                else if (reassert && watch.Watched && watch.Streams.Count > 0)
                {
                    watch.Pending = After(watch.Pending, () => watches.WatchAsync(sessionId));
                    sent.Add((sessionId, watch.Pending, false));
                }
            }
        }

        foreach (var (sessionId, call, unwatch) in sent)
        {
            try
            {
                await call;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Unwatching: the session keeps pushing here until this silo dies, and what arrives finds no stream.
                // Watching again: the next sweep that re-asserts tries again.
                LogSweepCallFailed(logger, ex, sessionId);
            }

            if (unwatch)
            {
                lock (_sessions)
                {
                    if (_sessions.TryGetValue(sessionId, out var watch) && !watch.Watched && watch.Streams.Count == 0 && watch.Pending == call)
                    {
                        _sessions.Remove(sessionId);
                    }
                }
            }
        }
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
