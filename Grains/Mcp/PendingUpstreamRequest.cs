using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Mcp;

/// <summary>
/// One request an <see cref="McpUpstreamGrain"/> has in flight upstream: the channel its messages go to the caller
/// on, and its deadline. Touched only on the grain's scheduler.
/// </summary>
internal sealed class PendingUpstreamRequest
{
    /// <summary>A request of the client's (<paramref name="downstreamId"/> set) or of the layer's own (null: its stray messages go to the standalone stream).</summary>
    public PendingUpstreamRequest(string method, JsonNode? parameters, RequestId? downstreamId)
    {
        Method = method;
        Params = parameters;
        DownstreamId = downstreamId;
        ProgressTokenJson = parameters?["_meta"]?["progressToken"]?.ToJsonString();
    }

    public string Method { get; }

    /// <summary>Its params; a multi-round-trip request adds the client's answers for its next round.</summary>
    public JsonNode? Params { get; set; }

    /// <summary>The downstream request's id, which its <c>notifications/cancelled</c> names.</summary>
    public RequestId? DownstreamId { get; }

    /// <summary>Its progress token as JSON, to match the upstream's progress notifications to it.</summary>
    public string? ProgressTokenJson { get; }

    /// <summary>What goes to the caller, in order. Bounded: a flood of notifications waits for the caller to take them.</summary>
    public Channel<McpUpstreamMessage> Messages { get; } = Channel.CreateBounded<McpUpstreamMessage>(
        new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Its id upstream (a new one each time it is sent).</summary>
    public RequestId UpstreamId { get; set; }

    /// <summary>The upstream session it was sent on: answers and cancellations about it go there.</summary>
    public UpstreamConnection? SentOn { get; set; }

    /// <summary>Whether its messages belong on the caller's stream (it is the client's and still open).</summary>
    public bool CarriesMessages => DownstreamId is not null && !Finished;

    public bool Finished { get; private set; }

    /// <summary>The client cancelled it: no answer is due.</summary>
    public bool CancelledDownstream { get; private set; }

    public bool CancelSent { get; set; }

    /// <summary>The last round's answer asked for input (2026-07-28): the result that did, until the next round.</summary>
    public System.Text.Json.Nodes.JsonObject? InputRequired { get; set; }

    private CancellationTokenSource? _deadline;
    private TimeSpan _timeout;
    private TimeSpan _clientWaitLimit;
    private int _awaitingClient;

    /// <summary>
    /// The registration's timeout bounds the upstream's work; the time a server request waits for the client (a person
    /// answering an elicitation) is bounded by <paramref name="clientWaitLimit"/> instead (see <see cref="AwaitClient"/>).
    /// </summary>
    public void StartDeadline(CancellationTokenSource deadline, TimeSpan timeout, TimeSpan clientWaitLimit)
    {
        (_deadline, _timeout, _clientWaitLimit) = (deadline, timeout, clientWaitLimit);
        deadline.CancelAfter(timeout);
    }

    public void StopDeadline() => _deadline = null;

    public void AwaitClient()
    {
        if (_awaitingClient++ == 0)
        {
            _deadline?.CancelAfter(_clientWaitLimit);
        }
    }

    /// <summary>A server request of it was answered or withdrawn: when none waits any more, the timeout starts afresh.</summary>
    public void ClientAnswered()
    {
        if (_awaitingClient > 0 && --_awaitingClient == 0)
        {
            _deadline?.CancelAfter(_timeout);
        }
    }

    /// <summary>Queues a notification or server request for the caller.</summary>
    public ValueTask SendAsync(McpUpstreamMessageKind kind, string json) =>
        Messages.Writer.WriteAsync(new McpUpstreamMessage(kind, json));

    /// <summary>Its last message: the result, the error, or the layer's failure (a sentence).</summary>
    public void Finish(McpUpstreamMessageKind kind, string json)
    {
        if (!Finished)
        {
            Finished = true;
            // The caller reads until the channel completes; a full channel must not lose the answer, so it waits its turn.
            var last = new McpUpstreamMessage(kind, kind == McpUpstreamMessageKind.Failure ? JsonSerializer.Serialize(json) : json);
            if (!Messages.Writer.TryWrite(last))
            {
                _ = WriteLastAsync(last);
            }
            else
            {
                Messages.Writer.TryComplete();
            }
        }
    }

    /// <summary>The client cancelled it: it ends with no message, and its wait for the upstream stops.</summary>
    public void Abandon()
    {
        CancelledDownstream = true;
        if (!Finished)
        {
            Finished = true;
            Messages.Writer.TryComplete();
            _deadline?.Cancel();
        }
    }

    private async Task WriteLastAsync(McpUpstreamMessage last)
    {
        await Messages.Writer.WriteAsync(last);
        Messages.Writer.TryComplete();
    }

    /// <summary>The request as sent upstream, under a fresh id.</summary>
    public JsonRpcRequest ToUpstream(RequestId id) => new() { Id = id, Method = Method, Params = Params?.DeepClone() };

    internal static string ErrorJson(int code, string message) =>
        JsonSerializer.Serialize(new JsonRpcErrorDetail { Code = code, Message = message }, McpJsonUtilities.DefaultOptions);
}
