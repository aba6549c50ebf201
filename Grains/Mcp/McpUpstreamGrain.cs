using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Orleans.Concurrency;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Functions;
using SseVirtualization.Grains.Hosting;
using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Mcp;

/// <summary>
/// One downstream session's session with one remote MCP server. Reentrant, and every piece of its state is touched
/// only on the activation's scheduler (the HTTP reads continue there too), so it needs no locks: forwarded requests,
/// the downstream client's answers to server requests, and the upstream's standalone stream interleave freely.
/// </summary>
[Reentrant]
internal sealed partial class McpUpstreamGrain(
    [PersistentState("mcp-upstream", StorageNames.McpSessions)] IPersistentState<McpUpstreamState> state,
    IHttpClientFactory httpClients,
    FunctionSecrets secrets,
    IOptions<FunctionOptions> functionOptions,
    TimeProvider time,
    ILogger<McpUpstreamGrain> logger)
    : Grain, IMcpUpstreamGrain
{
    // Logging and roots are deprecated in 2026-07-28 (SEP-2577), and the SDK marks their names obsolete; the 2025
    // revisions this layer forwards still use them.
    private const string SetLevel = "logging/setLevel";
    private const string RootsListChanged = "notifications/roots/list_changed";

    /// <summary>Requests this activation has in flight upstream, by their upstream id.</summary>
    private readonly Dictionary<RequestId, PendingRequest> _requests = [];

    /// <summary>Server requests sent downstream and not yet answered, by their downstream id.</summary>
    private readonly Dictionary<string, ServerRequest> _serverRequests = new(StringComparer.Ordinal);

    // Upstream ids are unique per activation: a resumed upstream session never sees an id of an earlier one again.
    private readonly string _idPrefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private long _nextId;
    private long _nextServerRequest;
    private Connected? _connected;
    private Task<Connected>? _connecting;
    private CancellationTokenSource? _listening;
    private IReadOnlyList<McpUpstreamTool>? _tools;
    private DateTimeOffset _toolsExpireAt;

    private string SessionId => McpUpstreamKey.Parse(this.GetPrimaryKeyString()).SessionId;

    private string Registration => McpUpstreamKey.Parse(this.GetPrimaryKeyString()).Registration;

    public async IAsyncEnumerable<McpUpstreamMessage> ForwardAsync(
        string method, string paramsJson, string downstreamIdJson, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new PendingRequest(method, JsonNode.Parse(paramsJson), downstreamIdJson);
        var run = RunAsync(request, cancellationToken);
        await foreach (var message in request.Messages.Reader.ReadAllAsync(CancellationToken.None))
        {
            yield return message;
        }

        await run;
    }

    public async Task<IReadOnlyList<McpUpstreamTool>> ListToolsAsync(bool refresh)
    {
        if (!refresh && _tools is { } cached && time.GetUtcNow() < _toolsExpireAt)
        {
            return cached;
        }

        var listed = await ListAsync("tools/list", "tools");
        if (listed.Kind != McpUpstreamMessageKind.Result)
        {
            throw new McpException($"The MCP server {Registration} did not list its tools: {listed.Json}");
        }

        var tools = new List<McpUpstreamTool>();
        foreach (var tool in JsonNode.Parse(listed.Json)?["tools"]?.AsArray() ?? [])
        {
            if (tool?["name"] is JsonValue name && name.TryGetValue<string>(out var text))
            {
                tools.Add(new McpUpstreamTool(text, tool.ToJsonString()));
            }
        }

        _tools = tools;
        _toolsExpireAt = time.GetUtcNow() + functionOptions.Value.McpToolsCacheTtl;
        return tools;
    }

    public async Task<McpUpstreamMessage> ListAsync(string method, string key)
    {
        var connected = await ConnectAsync();
        var capability = method.Split('/')[0];
        if (connected.Capabilities[capability] is null)
        {
            return new McpUpstreamMessage(McpUpstreamMessageKind.Result, new JsonObject { [key] = new JsonArray() }.ToJsonString());
        }

        var merged = new JsonArray();
        string? cursor = null;
        for (var page = 0; page < 100; page++)
        {
            var parameters = cursor is null ? new JsonObject() : new JsonObject { ["cursor"] = cursor };
            var answer = await RequestAsync(method, parameters);
            if (answer.Kind != McpUpstreamMessageKind.Result)
            {
                return answer;
            }

            var result = JsonNode.Parse(answer.Json) as JsonObject;
            if (result?[key] is JsonArray items)
            {
                foreach (var item in items.ToList())
                {
                    items.Remove(item);
                    merged.Add(item);
                }
            }

            cursor = result?["nextCursor"] is JsonValue next && next.TryGetValue<string>(out var text) ? text : null;
            if (cursor is null)
            {
                break;
            }
        }

        return new McpUpstreamMessage(McpUpstreamMessageKind.Result, new JsonObject { [key] = merged }.ToJsonString());
    }

    public async Task AnswerAsync(string responseJson)
    {
        if (Parse(responseJson) is not JsonRpcMessageWithId answer
            || !_serverRequests.Remove(answer.Id.ToString(), out var asked)
            || _connected is not { } connected)
        {
            return; // not ours, answered already, or the activation that asked is gone
        }

        asked.Within?.ClientAnswered();
        var upstreamId = asked.UpstreamId;

        JsonRpcMessage upstream = answer switch
        {
            JsonRpcError error => new JsonRpcError { Id = upstreamId, Error = error.Error },
            JsonRpcResponse response => new JsonRpcResponse { Id = upstreamId, Result = response.Result },
            _ => throw new ArgumentException("Not a response.", nameof(responseJson)),
        };
        await SendQuietlyAsync(connected, upstream);
    }

    public async Task NotifyAsync(string notificationJson)
    {
        if (Parse(notificationJson) is not JsonRpcNotification notification || _connected is not { } connected)
        {
            return;
        }

        if (notification.Method == NotificationMethods.CancelledNotification)
        {
            var cancelled = notification.Params?["requestId"]?.ToJsonString();
            var request = _requests.Values.FirstOrDefault(r => r.DownstreamIdJson == cancelled);
            if (request is not null)
            {
                request.CancelledDownstream = true;
                await CancelUpstreamAsync(connected, request, notification.Params?["reason"]?.GetValue<string>() ?? "The client cancelled the request.");
            }
        }
        else if (notification.Method == RootsListChanged)
        {
            await SendQuietlyAsync(connected, new JsonRpcNotification { Method = notification.Method, Params = notification.Params });
        }
    }

    public async Task SetLogLevelAsync(string level)
    {
        if (_connected is null && state.State.SessionId is null)
        {
            return; // no upstream session yet: the next one starts at the session's level
        }

        var connected = await ConnectAsync();
        if (connected.Capabilities["logging"] is not null)
        {
            await RequestAsync(SetLevel, new JsonObject { ["level"] = level });
        }
    }

    public async Task EndAsync()
    {
        try
        {
            if (_connected is not null || state.State.SessionId is not null)
            {
                var connected = await ConnectAsync(); // resumes a stored session (no handshake) just to end it
                StopListening();
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await connected.Connection.DeleteAsync(deadline.Token);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogEndFailed(logger, ex, Registration);
        }

        StopListening();
        _connected = null;
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        StopListening();
        return Task.CompletedTask;
    }

    /// <summary>Runs one forwarded request to its end: the answer, a failure, or the client's cancellation.</summary>
    private async Task RunAsync(PendingRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var connected = await ConnectAsync();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            request.StartDeadline(deadline, connected.Registration.Timeout);
            try
            {
                await SendAsync(connected, request, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                await CancelUpstreamAsync(_connected ?? connected, request, "The request timed out.");
                request.Finish(McpUpstreamMessageKind.Failure, request.CancelledDownstream
                    ? "The client cancelled the request."
                    : "The MCP server behind this request did not answer within the registration's timeout.");
            }
        }
        catch (UnknownRegistrationException)
        {
            request.Finish(McpUpstreamMessageKind.Error, ErrorJson((int)McpErrorCode.InvalidParams, "The MCP server registration is gone."));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Unreachable, a broken answer, a refused handshake: a failure the model can see. Details stay in the log.
            LogRequestFailed(logger, ex, request.Method, Registration);
            request.Finish(McpUpstreamMessageKind.Failure, "The MCP server behind this request could not be reached or failed; the layer's log has the details.");
        }
        finally
        {
            request.StopDeadline();
            _requests.Remove(request.UpstreamId);
            request.Messages.Writer.TryComplete();
        }
    }

    /// <summary>Sends a request upstream; when the upstream has forgotten the session, starts a new one and sends it once more.</summary>
    private async Task SendAsync(Connected connected, PendingRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await SendOnceAsync(connected, request, cancellationToken);
        }
        catch (UpstreamSessionGoneException)
        {
            LogSessionGone(logger, Registration);
            await ForgetSessionAsync(connected);
            await SendOnceAsync(await ConnectAsync(), request, cancellationToken);
        }
    }

    private async Task SendOnceAsync(Connected connected, PendingRequest request, CancellationToken cancellationToken)
    {
        _requests.Remove(request.UpstreamId);
        request.UpstreamId = NextId();
        _requests[request.UpstreamId] = request;
        var message = new JsonRpcRequest { Id = request.UpstreamId, Method = request.Method, Params = request.Params?.DeepClone() };
        await connected.Connection.RequestAsync(message, received => OnMessageAsync(connected, received, request), cancellationToken);
        if (!request.Finished)
        {
            throw new McpException($"The MCP server did not answer '{request.Method}'.");
        }
    }

    /// <summary>A request of the layer's own (lists, levels): its stray notifications go to the standalone stream.</summary>
    private async Task<McpUpstreamMessage> RequestAsync(string method, JsonObject parameters)
    {
        var request = new PendingRequest(method, parameters, DownstreamIdJson: null);
        await RunAsync(request, CancellationToken.None);
        var answer = await request.Messages.Reader.ReadAsync();
        return answer;
    }

    /// <summary>Routes one message of the upstream: answers to their requests, everything else downstream.</summary>
    private async Task OnMessageAsync(Connected connected, JsonRpcMessage message, PendingRequest? carrier)
    {
        switch (message)
        {
            case JsonRpcResponse response when _requests.TryGetValue(response.Id, out var request):
                request.Finish(McpUpstreamMessageKind.Result, response.Result?.ToJsonString() ?? "{}");
                break;
            case JsonRpcError error when _requests.TryGetValue(error.Id, out var request):
                request.Finish(McpUpstreamMessageKind.Error, JsonSerializer.Serialize(error.Error, McpJsonUtilities.DefaultOptions));
                break;
            case JsonRpcNotification notification:
                await OnNotificationAsync(notification, carrier);
                break;
            case JsonRpcRequest request:
                await OnServerRequestAsync(connected, request, carrier);
                break;
            default:
                break; // an answer nobody waits for any more (a request that timed out)
        }
    }

    private async Task OnNotificationAsync(JsonRpcNotification notification, PendingRequest? carrier)
    {
        var target = carrier;
        switch (notification.Method)
        {
            case NotificationMethods.ProgressNotification:
                // Progress belongs to the request that asked for it, whichever stream carried it.
                var token = notification.Params?["progressToken"]?.ToJsonString();
                target = _requests.Values.FirstOrDefault(r => r.ProgressTokenJson is not null && r.ProgressTokenJson == token) ?? carrier;
                break;
            case NotificationMethods.CancelledNotification:
                // The upstream gave up a server request of its own: the client hears of it under the id it knows.
                var upstreamId = notification.Params?["requestId"]?.ToJsonString();
                var forwarded = _serverRequests.FirstOrDefault(pair => JsonSerializer.Serialize(pair.Value.UpstreamId, McpJsonUtilities.DefaultOptions) == upstreamId).Key;
                if (forwarded is null)
                {
                    return;
                }

                _serverRequests.Remove(forwarded, out var withdrawn);
                withdrawn!.Within?.ClientAnswered();
                notification.Params!["requestId"] = forwarded;
                break;
            case NotificationMethods.ToolListChangedNotification:
                _tools = null;
                target = null;
                break;
            default:
                break;
        }

        await DeliverAsync(McpUpstreamMessageKind.Notification, JsonSerializer.Serialize<JsonRpcMessage>(notification, McpJsonUtilities.DefaultOptions), target);
    }

    private async Task OnServerRequestAsync(Connected connected, JsonRpcRequest request, PendingRequest? carrier)
    {
        if (request.Method == RequestMethods.Ping)
        {
            await SendQuietlyAsync(connected, new JsonRpcResponse { Id = request.Id, Result = new JsonObject() });
            return;
        }

        var downstreamId = McpUpstreamKey.ServerRequestId(Registration, ++_nextServerRequest);
        var within = carrier is { DownstreamIdJson: not null, Finished: false } ? carrier : null;
        _serverRequests[downstreamId] = new ServerRequest(request.Id, within);
        within?.AwaitClient();
        var forwarded = new JsonRpcRequest { Id = new RequestId(downstreamId), Method = request.Method, Params = request.Params };
        await DeliverAsync(McpUpstreamMessageKind.Request, JsonSerializer.Serialize<JsonRpcMessage>(forwarded, McpJsonUtilities.DefaultOptions), carrier);
    }

    /// <summary>On the stream of the downstream request it belongs to while that is open; else the session's standalone stream.</summary>
    private async Task DeliverAsync(McpUpstreamMessageKind kind, string json, PendingRequest? target)
    {
        if (target is { DownstreamIdJson: not null, Finished: false })
        {
            target.Messages.Writer.TryWrite(new McpUpstreamMessage(kind, json));
            return;
        }

        try
        {
            await GrainFactory.GetGrain<IMcpSessionGrain>(SessionId).AppendAsync(McpEventId.StandaloneStream, json);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogDeliveryFailed(logger, ex, Registration);
        }
    }

    private async Task CancelUpstreamAsync(Connected connected, PendingRequest request, string reason)
    {
        if (request.Finished || request.CancelSent)
        {
            return;
        }

        request.CancelSent = true;
        await SendQuietlyAsync(connected, new JsonRpcNotification
        {
            Method = NotificationMethods.CancelledNotification,
            Params = new JsonObject { ["requestId"] = JsonSerializer.SerializeToNode(request.UpstreamId, McpJsonUtilities.DefaultOptions), ["reason"] = reason },
        });
        if (request.CancelledDownstream)
        {
            // The client no longer waits for an answer: the request ends here, without one.
            request.Finish(McpUpstreamMessageKind.Failure, "The client cancelled the request.");
        }
    }

    private async Task SendQuietlyAsync(Connected connected, JsonRpcMessage message)
    {
        try
        {
            using var deadline = new CancellationTokenSource(connected.Registration.Timeout);
            await connected.Connection.SendAsync(message, deadline.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogSendFailed(logger, ex, Registration);
        }
    }

    private RequestId NextId() => new($"{_idPrefix}-{++_nextId}");

    private static JsonRpcMessage? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<JsonRpcMessage>(json, McpJsonUtilities.DefaultOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string ErrorJson(int code, string message) =>
        JsonSerializer.Serialize(new JsonRpcErrorDetail { Code = code, Message = message }, McpJsonUtilities.DefaultOptions);

    /// <summary>A server request sent downstream: its upstream id, and the forwarded request it came within (if any).</summary>
    private sealed record ServerRequest(RequestId UpstreamId, PendingRequest? Within);

    /// <summary>One request in flight upstream, and the channel its messages go to the caller on.</summary>
    /// <param name="Method">The JSON-RPC method.</param>
    /// <param name="Params">Its params, as the client sent them.</param>
    /// <param name="DownstreamIdJson">The downstream request's id; null for the layer's own requests (their notifications go to the standalone stream).</param>
    private sealed record PendingRequest(string Method, JsonNode? Params, string? DownstreamIdJson)
    {
        public Channel<McpUpstreamMessage> Messages { get; } = Channel.CreateUnbounded<McpUpstreamMessage>(new UnboundedChannelOptions { SingleReader = true });

        public RequestId UpstreamId { get; set; }

        public string? ProgressTokenJson { get; } = Params?["_meta"]?["progressToken"]?.ToJsonString();

        public bool Finished { get; private set; }

        public bool CancelledDownstream { get; set; }

        public bool CancelSent { get; set; }

        private CancellationTokenSource? _deadline;
        private TimeSpan _timeout;
        private int _awaitingClient;

        /// <summary>The registration's timeout bounds the upstream's work, not the client's: see <see cref="AwaitClient"/>.</summary>
        public void StartDeadline(CancellationTokenSource deadline, TimeSpan timeout)
        {
            (_deadline, _timeout) = (deadline, timeout);
            deadline.CancelAfter(timeout);
        }

        public void StopDeadline() => _deadline = null;

        /// <summary>
        /// A server request of this request waits for the client (a person may be answering an elicitation): the
        /// timeout stops until every such request is answered, then starts afresh.
        /// </summary>
        public void AwaitClient()
        {
            if (_awaitingClient++ == 0)
            {
                _deadline?.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }

        public void ClientAnswered()
        {
            if (_awaitingClient > 0 && --_awaitingClient == 0)
            {
                _deadline?.CancelAfter(_timeout);
            }
        }

        public void Finish(McpUpstreamMessageKind kind, string json)
        {
            if (!Finished)
            {
                Finished = true;
                Messages.Writer.TryWrite(new McpUpstreamMessage(kind, kind == McpUpstreamMessageKind.Failure ? JsonSerializer.Serialize(json) : json));
                Messages.Writer.TryComplete();
            }
        }
    }
}

/// <summary>The registration is gone or is no longer an MCP server.</summary>
internal sealed class UnknownRegistrationException() : Exception("The MCP server registration is gone.");
