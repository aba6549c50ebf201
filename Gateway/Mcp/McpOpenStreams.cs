using System.Collections.Concurrent;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// The sessions whose standalone stream (GET <c>/mcp</c> or the legacy <c>/mcp/sse</c>) this silo holds: the ones
/// it tells when the tool catalog changes.
/// </summary>
internal sealed class McpOpenStreams
{
    private readonly ConcurrentDictionary<string, int> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public IReadOnlyCollection<string> Sessions => _sessions.Keys.ToArray();

    public void Add(string sessionId) => _sessions.AddOrUpdate(sessionId, 1, (_, count) => count + 1);

    public void Remove(string sessionId)
    {
        if (_sessions.AddOrUpdate(sessionId, 0, (_, count) => count - 1) <= 0)
        {
            _sessions.TryRemove(new KeyValuePair<string, int>(sessionId, 0));
        }
    }
}
