using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;
using SseVirtualization.Mcp;
using SseVirtualization.Streams;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Listens on the catalog stream and sends <c>notifications/tools/list_changed</c> to every session whose
/// standalone stream this silo holds (through the session grain, so a resumed stream gets it too), and to every
/// 2026-07-28 <c>subscriptions/listen</c> stream it holds.
/// </summary>
internal sealed partial class McpCatalogListener(
    IClusterClient cluster, McpOpenStreams open, McpModernListen listen, ILogger<McpCatalogListener> logger) : IHostedService
{
    private static readonly string ListChanged = McpProtocol.Notification("notifications/tools/list_changed");
    private StreamSubscriptionHandle<McpCatalogChanged>? _subscription;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = await cluster.GetStreamProvider(StreamNames.Provider)
            .GetStream<McpCatalogChanged>(StreamId.Create(McpStreamNames.CatalogNamespace, McpStreamNames.CatalogKey))
            .SubscribeAsync(OnChangedAsync);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_subscription is { } subscription)
        {
            _subscription = null;
            try
            {
                await subscription.UnsubscribeAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogNotifyFailed(logger, ex, "(unsubscribe)");
            }
        }
    }

    private async Task OnChangedAsync(McpCatalogChanged change, StreamSequenceToken? token)
    {
        listen.ToolsChanged();
        foreach (var session in open.Sessions)
        {
            try
            {
                await cluster.ReferenceTo<IMcpSessionGrain>(session).AppendAsync(McpEventId.StandaloneStream, ListChanged);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogNotifyFailed(logger, ex, session);
            }
        }

        LogCatalogChanged(logger, change.Source, open.Count);
    }
}
