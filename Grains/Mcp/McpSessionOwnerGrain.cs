using Microsoft.Extensions.Options;
using SseVirtualization.Grains.Hosting;
using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Mcp;

/// <summary>
/// Counts one owner's live MCP sessions. Stored with the sessions (so the count survives restarts and holds across
/// silos, and the record expires in Redis once every session in it has); it never holds more than
/// <see cref="McpSessionOptions.MaxSessionsPerOwner"/> ids.
/// </summary>
internal sealed class McpSessionOwnerGrain(
    [PersistentState("mcp-session-owner", StorageNames.McpSessions)] IPersistentState<McpSessionOwnerState> state,
    IOptions<McpSessionOptions> options,
    TimeProvider time)
    : Grain, IMcpSessionOwnerGrain
{
    private Dictionary<string, DateTimeOffset> Sessions => state.State.Sessions;

    public async Task<bool> TryTakeAsync(string sessionId, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        if (!Sessions.ContainsKey(sessionId) && Sessions.Count >= options.Value.MaxSessionsPerOwner)
        {
            await ForgetExpiredAsync();
            if (Sessions.Count >= options.Value.MaxSessionsPerOwner)
            {
                return false;
            }
        }

        Sessions[sessionId] = expiresAt;
        await state.WriteStateAsync();
        return true;
    }

    public async Task ReleaseAsync(string sessionId)
    {
        if (Sessions.Remove(sessionId))
        {
            await state.WriteStateAsync();
        }
    }

    /// <summary>
    /// Lazily, only when the owner is at its bound: asks the sessions whose stored expiry has passed when they really
    /// expire (a session used since lives on) and forgets those that have expired or ended.
    /// </summary>
    private async Task ForgetExpiredAsync()
    {
        var now = time.GetUtcNow();
        var due = Sessions.Where(s => s.Value <= now).Select(s => s.Key).ToList();
        var asked = await Task.WhenAll(due.Select(async id => (Id: id, ExpiresAt: await GrainFactory.ReferenceTo<IMcpSessionGrain>(id).ExpiresAtAsync())));
        foreach (var (id, expiresAt) in asked)
        {
            if (expiresAt is { } later && later > now)
            {
                Sessions[id] = later;
            }
            else
            {
                Sessions.Remove(id);
            }
        }
    }
}
