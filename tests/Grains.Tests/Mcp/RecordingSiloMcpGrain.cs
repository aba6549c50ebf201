using System.Collections.Concurrent;
using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Tests.Mcp;

/// <summary>Stands in for the front end's per-silo MCP grain: records what sessions push to each silo id.</summary>
internal sealed class RecordingSiloMcpGrain : Grain, ISiloMcpGrain
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<McpStreamEvent>> Pushed = new(StringComparer.Ordinal);

    /// <summary>The messages pushed to <paramref name="siloId"/> of session <paramref name="sessionId"/>, in arrival order.</summary>
    public static IReadOnlyList<string> PushedTo(string siloId, string sessionId) =>
        [.. Pushed.GetOrAdd(siloId, _ => new()).Where(m => m.SessionId == sessionId).Select(m => m.MessageJson)];

    public Task DeliverAsync(McpStreamEvent message)
    {
        Pushed.GetOrAdd(this.GetPrimaryKeyString(), _ => new()).Enqueue(message);
        return Task.CompletedTask;
    }

    public Task ToolsChangedAsync(string source) => Task.CompletedTask;
}
