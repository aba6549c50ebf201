using System.Threading.Channels;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// The live messages of one stream of one session while this silo holds it, read as a channel
/// (<see cref="McpLocalStreams.OpenAsync"/>). Open it before replaying, then skip what the replay already wrote (by
/// sequence), and nothing falls between the two.
/// </summary>
internal sealed class McpLiveMessages : IAsyncDisposable
{
    private readonly Channel<McpStreamEvent> _messages = Channel.CreateBounded<McpStreamEvent>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly McpLocalStreams _owner;

    internal McpLiveMessages(McpLocalStreams owner, string sessionId, int stream)
    {
        _owner = owner;
        SessionId = sessionId;
        Stream = stream;
    }

    public string SessionId { get; }

    public int Stream { get; }

    public ChannelReader<McpStreamEvent> Reader => _messages.Reader;

    /// <summary>Queues <paramref name="message"/> when it belongs to this stream.</summary>
    internal void Offer(McpStreamEvent message)
    {
        if (message.Stream == Stream)
        {
            _messages.Writer.TryWrite(message);
        }
    }

    public ValueTask DisposeAsync()
    {
        _messages.Writer.TryComplete();
        _owner.Close(this);
        return ValueTask.CompletedTask;
    }
}
