using Microsoft.Extensions.Options;
using Orleans.Runtime;
using SseVirtualization.Grains.Hosting;
using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Mcp;

/// <summary>
/// One MCP session. Writes happen one at a time; reads interleave. Every stored message is also pushed to the silos
/// that watch the session (those holding one of its SSE streams); a silo that resumes a stream replays from here.
/// </summary>
internal sealed class McpSessionGrain(
    [PersistentState("mcp-session", StorageNames.McpSessions)] IPersistentState<McpSessionState> state,
    IOptions<McpSessionOptions> options,
    IClusterMembershipService membership,
    TimeProvider time)
    : Grain, IMcpSessionGrain
{
    private McpSessionState State => state.State;

    public async Task<bool> StartAsync(McpSessionInfo info) => await StartSessionAsync(info) == McpSessionStart.Started;

    public async Task<McpSessionStart> StartSessionAsync(McpSessionInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (State.Info is not null)
        {
            return McpSessionStart.IdInUse;
        }

        return await StartNewAsync(info, time.GetUtcNow());
    }

    public async Task<McpSessionStart> StartOrRenewAsync(McpSessionInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var now = time.GetUtcNow();
        if (State.Info is not null && now - State.LastSeenAt <= options.Value.SessionIdleTimeout)
        {
            State.LastSeenAt = now;
            return McpSessionStart.IdInUse;
        }

        return await StartNewAsync(info, now);
    }

    /// <summary>Takes a slot of the owner first, so a refused start stores nothing.</summary>
    private async Task<McpSessionStart> StartNewAsync(McpSessionInfo info, DateTimeOffset now)
    {
        if (!await Owner(info.Owner).TryTakeAsync(this.GetPrimaryKeyString(), now + options.Value.SessionIdleTimeout))
        {
            return McpSessionStart.OwnerAtLimit;
        }

        // A session renewed under its id after expiring keeps its watchers: the silos still hold its streams.
        state.State = new McpSessionState { Info = info, LastSeenAt = now, Watchers = State.Watchers };
        await WriteAsync();
        return McpSessionStart.Started;
    }

    public Task<DateTimeOffset?> ExpiresAtAsync() =>
        Task.FromResult(State.Info is null || time.GetUtcNow() - State.LastSeenAt > options.Value.SessionIdleTimeout
            ? null
            : (DateTimeOffset?)(State.LastSeenAt + options.Value.SessionIdleTimeout));

    private IMcpSessionOwnerGrain Owner(string owner) => GrainFactory.ReferenceTo<IMcpSessionOwnerGrain>(McpSessionOwnerKey.Format(owner));

    public async Task<bool> CompleteHandshakeAsync(McpSessionInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (State.Info is null)
        {
            return false;
        }

        State.Info = info with { Owner = State.Info.Owner, StartedAt = State.Info.StartedAt };
        State.LastSeenAt = time.GetUtcNow();
        await WriteAsync();
        return true;
    }

    public Task<McpSessionInfo?> GetAsync()
    {
        if (State.Info is null)
        {
            return Task.FromResult<McpSessionInfo?>(null);
        }

        var now = time.GetUtcNow();
        if (now - State.LastSeenAt > options.Value.SessionIdleTimeout)
        {
            // Expired. No write from this interleaved read: storage drops the record by its own expiry.
            return Task.FromResult<McpSessionInfo?>(null);
        }

        // Kept in memory; written with the next message or at deactivation, not on every request.
        State.LastSeenAt = now;
        return Task.FromResult<McpSessionInfo?>(State.Info);
    }

    public async Task SetLogLevelAsync(string level)
    {
        if (State.Info is { } info)
        {
            State.Info = info with { LogLevel = level };
            await WriteAsync();
        }
    }

    public async Task<int> OpenStreamAsync()
    {
        var stream = State.NextStream++;
        await WriteAsync();
        return stream;
    }

    public async Task<string> AppendAsync(int stream, string messageJson)
    {
        var message = new McpStreamEvent(this.GetPrimaryKeyString(), stream, State.NextSequence++, messageJson);
        State.Events.Add(message);
        Trim();

        State.LastSeenAt = time.GetUtcNow();
        ForgetDeadWatchers();
        await WriteAsync();
        foreach (var silo in State.Watchers)
        {
            // One-way: the message is stored, and a stream that misses it gets it when it resumes. Messages to one silo
            // leave in order over one connection; a stream skips anything older than what it wrote.
            _ = GrainFactory.ReferenceTo<ISiloMcpGrain>(silo).DeliverAsync(message);
        }

        return message.EventId;
    }

    public async Task WatchAsync(string siloId)
    {
        ArgumentException.ThrowIfNullOrEmpty(siloId);
        _ = SiloAddress.FromParsableString(siloId); // a malformed id is refused here, not stored to fail every message
        if (State.Info is not null && !State.Watchers.Contains(siloId))
        {
            State.Watchers.Add(siloId);
            ForgetDeadWatchers();
            await WriteAsync();
        }
    }

    public async Task UnwatchAsync(string siloId)
    {
        if (State.Watchers.Remove(siloId) && State.Info is not null)
        {
            await WriteAsync();
        }
    }

    /// <summary>
    /// A silo that died without unwatching is dropped with the next write. Only one known to be dead: a silo that has
    /// just joined may not be in this silo's view of the cluster yet.
    /// </summary>
    private void ForgetDeadWatchers()
    {
        var members = membership.CurrentSnapshot;
        State.Watchers.RemoveAll(silo => members.GetSiloStatus(SiloAddress.FromParsableString(silo)) == SiloStatus.Dead);
    }

    /// <summary>Keeps at most MaxStoredMessages and MaxStoredBytes of messages (always the newest one).</summary>
    private void Trim()
    {
        var settings = options.Value;
        var overflow = State.Events.Count - settings.MaxStoredMessages;
        if (overflow > 0)
        {
            State.Events.RemoveRange(0, overflow);
        }

        long bytes = State.Events.Sum(e => (long)e.MessageJson.Length);
        var drop = 0;
        while (bytes > settings.MaxStoredChars && drop < State.Events.Count - 1)
        {
            bytes -= State.Events[drop].MessageJson.Length;
            drop++;
        }

        State.Events.RemoveRange(0, drop);
    }

    public Task<IReadOnlyList<McpStreamEvent>> ReplayAsync(int stream, long afterSequence) =>
        Task.FromResult<IReadOnlyList<McpStreamEvent>>(
            State.Events.Where(e => e.Stream == stream && e.Sequence > afterSequence).ToList());

    public async Task AddUpstreamAsync(string registration)
    {
        if (State.Info is not null && !State.Upstreams.Contains(registration))
        {
            State.Upstreams.Add(registration);
            await WriteAsync();
        }
    }

    public Task<IReadOnlyList<string>> UpstreamsAsync() => Task.FromResult<IReadOnlyList<string>>(State.Upstreams.ToList());

    public async Task<bool> EndAsync()
    {
        if (State.Info is null)
        {
            return false;
        }

        var owner = State.Info.Owner;
        await state.ClearStateAsync();
        DeactivateOnIdle();
        await Owner(owner).ReleaseAsync(this.GetPrimaryKeyString());
        return true;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (State.Info is not null)
        {
            await WriteAsync(); // keeps LastSeenAt, which reads only updated in memory
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Orleans.Storage.InconsistentStateException)
        {
            DeactivateOnIdle();
            throw;
        }
    }
}
