using System.Threading.Channels;
using Orleans.Runtime;
using Orleans.Streams;
using SseVirtualization.Mcp;
using SseVirtualization.Streams;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// The live messages of one stream of one session while this silo holds it: a subscription to the session's
/// Orleans stream, filtered to the stream, read as a channel. Subscribe before replaying, then skip what the
/// replay already wrote (by sequence), and nothing falls between the two.
/// </summary>
internal sealed class McpLiveMessages : IAsyncDisposable
{
    private readonly Channel<McpStreamEvent> _messages = Channel.CreateBounded<McpStreamEvent>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private StreamSubscriptionHandle<McpStreamEvent>? _subscription;

    public ChannelReader<McpStreamEvent> Reader => _messages.Reader;

    public static async Task<McpLiveMessages> SubscribeAsync(IClusterClient cluster, string sessionId, int stream)
    {
        var live = new McpLiveMessages();
        live._subscription = await cluster.GetStreamProvider(StreamNames.Provider)
            .GetStream<McpStreamEvent>(StreamId.Create(McpStreamNames.SessionNamespace, sessionId))
            .SubscribeAsync((message, _) =>
            {
                if (message.Stream == stream)
                {
                    live._messages.Writer.TryWrite(message);
                }

                return Task.CompletedTask;
            });
        return live;
    }

    public async ValueTask DisposeAsync()
    {
        _messages.Writer.TryComplete();
        if (_subscription is { } subscription)
        {
            _subscription = null;
            try
            {
                await subscription.UnsubscribeAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The subscription dies with the silo anyway; a failed unsubscribe only leaves a stale entry.
                _ = ex;
            }
        }
    }
}
