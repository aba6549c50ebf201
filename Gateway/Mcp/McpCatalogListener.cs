using Microsoft.Extensions.Logging;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Told when the tool catalog changed (through <see cref="ISiloMcpGrain"/>), sends
/// <c>notifications/tools/list_changed</c> to every session whose standalone stream this silo holds (through the
/// session grain, so a resumed stream gets it too), and to every 2026-07-28 <c>subscriptions/listen</c> stream it holds.
/// </summary>
internal sealed partial class McpCatalogListener(
    IGrainFactory grains, McpLocalStreams streams, McpModernListen listen, ILogger<McpCatalogListener> logger)
{
    private static readonly string ListChanged = McpProtocol.Notification("notifications/tools/list_changed");

    public async Task OnChangedAsync(string source)
    {
        listen.ToolsChanged();
        var sessions = streams.SessionsWithStandaloneStream();
        foreach (var session in sessions)
        {
            try
            {
                await grains.ReferenceTo<IMcpSessionGrain>(session).AppendAsync(McpEventId.StandaloneStream, ListChanged);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogNotifyFailed(logger, ex, session);
            }
        }

        LogCatalogChanged(logger, source, sessions.Count);
    }
}
