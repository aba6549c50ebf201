using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
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
    IOptions<McpSessionOptions> sessionOptions,
    TimeProvider time,
    Microsoft.Extensions.Logging.ILogger<McpUpstreamGrain> logger)
    : Grain, IMcpUpstreamGrain, IDisposable
{
    // Logging and roots are deprecated in 2026-07-28 (SEP-2577), and the SDK marks their names obsolete; the 2025
    // revisions this layer forwards still use them.
    private const string SetLevel = "logging/setLevel";
    private const string RootsListChanged = "notifications/roots/list_changed";

    /// <summary>Requests this activation has in flight upstream, by their upstream id.</summary>
    private readonly Dictionary<RequestId, PendingUpstreamRequest> _requests = [];

    /// <summary>Server requests sent downstream and not yet answered, by their downstream id.</summary>
    private readonly Dictionary<string, ServerRequest> _serverRequests = new(StringComparer.Ordinal);

    // Ids are unique per activation: a resumed upstream session never sees an upstream id of an earlier activation
    // again, and a late answer to an earlier activation's server request never matches one of this activation's.
    private readonly string _idPrefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private readonly SemaphoreSlim _stateWrites = new(1, 1);
    private long _nextId;
    private Connected? _connected;
    private Task<Connected>? _connecting;
    private CancellationTokenSource? _listening;
    private IReadOnlyList<McpUpstreamTool>? _tools;
    private DateTimeOffset _toolsExpireAt;
    private long _toolsGeneration;

    // The downstream session stands for 2026-07-28 requests: a server request is answered by the client's next request
    // (multi-round-trip), so a forwarded request's reader stops at it.
    private bool _inputByRetry;

    private string SessionId => McpUpstreamKey.Parse(this.GetPrimaryKeyString()).SessionId;

    private string Registration => McpUpstreamKey.Parse(this.GetPrimaryKeyString()).Registration;

    public async IAsyncEnumerable<McpUpstreamMessage> ForwardAsync(
        string method, string paramsJson, string downstreamIdJson, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new PendingUpstreamRequest(method, JsonNode.Parse(paramsJson), JsonSerializer.Deserialize<RequestId>(downstreamIdJson, McpJsonUtilities.DefaultOptions));
        var run = RunAsync(request, cancellationToken);
        await foreach (var message in request.Messages.Reader.ReadAllAsync(CancellationToken.None))
        {
            yield return message;
            if (message.Kind == McpUpstreamMessageKind.Request && _inputByRetry)
            {
                yield break; // the client answers with a new request of its own (ResumeAsync); nothing more is read here
            }
        }

        await run;
    }

    public async IAsyncEnumerable<McpUpstreamMessage> ResumeAsync(
        string inputResponsesJson, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        PendingUpstreamRequest? request = null;
        foreach (var (key, answer) in JsonNode.Parse(inputResponsesJson) as JsonObject ?? [])
        {
            if (_serverRequests.Remove(key, out var asked) && asked.Within is { Finished: false } within)
            {
                within.ClientAnswered();
                request = within;
                var response = new JsonRpcResponse { Id = asked.UpstreamId, Result = answer?.DeepClone() };
                if (asked.Local is { } local)
                {
                    local.TrySetResult(response); // a 2026 server's input: it goes with the request's next round
                }
                else
                {
                    await SendQuietlyAsync(asked.Connection, response);
                }
            }
        }

        if (request is null)
        {
            yield return new McpUpstreamMessage(McpUpstreamMessageKind.Error, PendingUpstreamRequest.ErrorJson(
                (int)McpErrorCode.InvalidParams, "The request state is unknown or has expired: send the request again without it."));
            yield break;
        }

        // The request's messages from here on; its first reader stopped at the server request now answered.
        await foreach (var message in request.Messages.Reader.ReadAllAsync(cancellationToken))
        {
            yield return message;
            if (message.Kind == McpUpstreamMessageKind.Request)
            {
                yield break; // another input: the client's next request resumes again
            }
        }
    }

    public async Task<IReadOnlyList<McpUpstreamTool>> ListToolsAsync(bool refresh)
    {
        if (!refresh && _tools is { } cached && time.GetUtcNow() < _toolsExpireAt)
        {
            return cached;
        }

        var generation = _toolsGeneration;
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

        if (generation == _toolsGeneration)
        {
            // Not when the server said its tools changed while this list was on its way: that list may be the old one.
            _tools = tools;
            _toolsExpireAt = time.GetUtcNow() + functionOptions.Value.McpToolsCacheTtl;
        }

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
            || !_serverRequests.Remove(answer.Id.ToString(), out var asked))
        {
            return; // not ours, answered already, or the activation that asked is gone
        }

        asked.Within?.ClientAnswered();
        if (asked.Local is { } local)
        {
            local.TrySetResult(answer); // an input the request's next round carries (2026-07-28)
            return;
        }

        JsonRpcMessage upstream = answer switch
        {
            JsonRpcError error => new JsonRpcError { Id = asked.UpstreamId, Error = error.Error },
            JsonRpcResponse response => new JsonRpcResponse { Id = asked.UpstreamId, Result = response.Result },
            _ => throw new ArgumentException("Not a response.", nameof(responseJson)),
        };
        await SendQuietlyAsync(asked.Connection, upstream);
    }

    public async Task NotifyAsync(string notificationJson)
    {
        if (Parse(notificationJson) is not JsonRpcNotification notification)
        {
            return;
        }

        if (notification.Method == NotificationMethods.CancelledNotification)
        {
            var cancelled = RequestIdOf(notification.Params?["requestId"]);
            var request = _requests.Values.FirstOrDefault(r => r.DownstreamId is { } id && id.Equals(cancelled));
            if (request is not null)
            {
                var reason = notification.Params?["reason"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : "The client cancelled the request.";
                request.Abandon();
                await CancelUpstreamAsync(request, reason);
            }
        }
        else if (notification.Method == RootsListChanged && _connected is { } connected)
        {
            await SendQuietlyAsync(connected.Connection, new JsonRpcNotification { Method = notification.Method, Params = notification.Params });
        }
    }

    public async Task SetLogLevelAsync(string level)
    {
        if (_connected is null && !state.State.Initialized)
        {
            return; // no upstream session yet: the next one starts at the session's level
        }

        try
        {
            var connected = await ConnectAsync();
            // 2026-07-28 has no setLevel (a request names its level): such a server learns it with its next session.
            if (!connected.Connection.Modern && connected.Capabilities["logging"] is not null)
            {
                await RequestAsync(SetLevel, new JsonObject { ["level"] = level });
            }
        }
        catch (UnknownRegistrationException)
        {
            // The server was removed: nothing to tell it.
        }
    }

    public async Task EndAsync()
    {
        StopListening();
        var connection = _connected?.Connection ?? await StoredConnectionAsync();
        if (connection is not null)
        {
            try
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await connection.DeleteAsync(deadline.Token);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogEndFailed(logger, ex, Registration);
            }
        }

        _connected = null;
        await WriteStateAsync(clear: true);
        DeactivateOnIdle();
    }

    public void Dispose()
    {
        StopListening();
        _stateWrites.Dispose();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        StopListening();
        if (state.State.Initialized)
        {
            // Storage expires a record a while after its last write (Mcp:SessionIdleTimeout): a session still in use
            // keeps its upstream session on record.
            await WriteStateAsync(clear: false);
        }
    }

    /// <summary>Runs one forwarded request to its end: the answer, a failure, or the client's cancellation.</summary>
    private async Task RunAsync(PendingUpstreamRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var connected = await ConnectAsync();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            request.StartDeadline(deadline, connected.Registration.Timeout, sessionOptions.Value.ClientAnswerTimeout);
            try
            {
                await SendAsync(connected, request, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                await CancelUpstreamAsync(request, "The request timed out.");
                request.Finish(McpUpstreamMessageKind.Failure, "The MCP server behind this request did not answer within the registration's timeout.");
            }
        }
        catch (UnknownRegistrationException)
        {
            request.Finish(McpUpstreamMessageKind.Error, PendingUpstreamRequest.ErrorJson((int)McpErrorCode.InvalidParams, "The MCP server registration is gone."));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Unreachable, a broken answer, a refused handshake: a failure the model can see. Details stay in the log.
            if (!request.Finished)
            {
                LogRequestFailed(logger, ex, request.Method, Registration);
            }

            request.Finish(McpUpstreamMessageKind.Failure, "The MCP server behind this request could not be reached or failed; the layer's log has the details.");
        }
        finally
        {
            request.StopDeadline();
            _requests.Remove(request.UpstreamId);
            WithdrawServerRequests(request);
        }
    }

    /// <summary>Sends a request upstream; when the upstream refused it for a session it has forgotten, starts a new one and sends it once more.</summary>
    private async Task SendAsync(Connected connected, PendingUpstreamRequest request, CancellationToken cancellationToken)
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

    private async Task SendOnceAsync(Connected connected, PendingUpstreamRequest request, CancellationToken cancellationToken)
    {
        for (var round = 1; ; round++)
        {
            _requests.Remove(request.UpstreamId);
            request.UpstreamId = NextId();
            request.SentOn = connected.Connection;
            request.InputRequired = null;
            _requests[request.UpstreamId] = request;
            var message = request.ToUpstream(request.UpstreamId);
            if (connected.Envelope is { } envelope)
            {
                AddEnvelope(message, envelope);
            }

            await connected.Connection.RequestAsync(message, received => OnMessageAsync(connected, received, request), cancellationToken);
            if (request.InputRequired is { } inputRequired && !request.Finished)
            {
                if (round < MaxInputRounds && await FulfilInputAsync(connected, request, inputRequired, cancellationToken))
                {
                    continue;
                }

                request.Finish(McpUpstreamMessageKind.Failure, "The MCP server kept asking for input.");
            }

            if (!request.Finished)
            {
                throw new McpException($"The MCP server did not answer '{request.Method}'.");
            }

            return;
        }
    }

    /// <summary>A request of the layer's own (lists, levels): its stray notifications go to the standalone stream.</summary>
    private async Task<McpUpstreamMessage> RequestAsync(string method, JsonObject parameters)
    {
        var request = new PendingUpstreamRequest(method, parameters, downstreamId: null);
        await RunAsync(request, CancellationToken.None);
        return await request.Messages.Reader.ReadAsync();
    }

    /// <summary>Routes one message of the upstream: answers to their requests, everything else downstream.</summary>
    private async Task OnMessageAsync(Connected connected, JsonRpcMessage message, PendingUpstreamRequest? carrier)
    {
        switch (message)
        {
            case JsonRpcResponse response when _requests.TryGetValue(response.Id, out var request):
                if (connected.Connection.Modern && response.Result is JsonObject modern)
                {
                    if (modern["resultType"] is JsonValue kind && kind.TryGetValue<string>(out var resultType) && resultType == "input_required")
                    {
                        request.InputRequired = modern; // the next round answers it (SendOnceAsync)
                        break;
                    }

                    request.Finish(McpUpstreamMessageKind.Result, AsSessionResult(modern));
                    break;
                }

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
                break; // an answer nobody waits for any more (a request that timed out or was cancelled)
        }
    }

    private async Task OnNotificationAsync(JsonRpcNotification notification, PendingUpstreamRequest? carrier)
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
                var upstreamId = RequestIdOf(notification.Params?["requestId"]);
                var forwarded = _serverRequests.FirstOrDefault(pair => pair.Value.UpstreamId.Equals(upstreamId)).Key;
                if (forwarded is null)
                {
                    return;
                }

                _serverRequests.Remove(forwarded, out var withdrawn);
                withdrawn!.Within?.ClientAnswered();
                notification.Params!["requestId"] = forwarded;
                target = withdrawn.Within ?? carrier;
                break;
            case NotificationMethods.ToolListChangedNotification:
                _tools = null;
                _toolsGeneration++;
                target = null;
                break;
            default:
                break;
        }

        await DeliverAsync(McpUpstreamMessageKind.Notification, JsonSerializer.Serialize<JsonRpcMessage>(notification, McpJsonUtilities.DefaultOptions), target);
    }

    private async Task OnServerRequestAsync(Connected connected, JsonRpcRequest request, PendingUpstreamRequest? carrier)
    {
        if (request.Method == RequestMethods.Ping)
        {
            await SendQuietlyAsync(connected.Connection, new JsonRpcResponse { Id = request.Id, Result = new JsonObject() });
            return;
        }

        var downstreamId = NextServerRequestId();
        var within = carrier is { CarriesMessages: true } ? carrier : null;
        _serverRequests[downstreamId] = new ServerRequest(request.Id, connected.Connection, within);
        within?.AwaitClient();
        var forwarded = new JsonRpcRequest { Id = new RequestId(downstreamId), Method = request.Method, Params = request.Params };
        await DeliverAsync(McpUpstreamMessageKind.Request, JsonSerializer.Serialize<JsonRpcMessage>(forwarded, McpJsonUtilities.DefaultOptions), within);
    }

    /// <summary>On the stream of the downstream request it belongs to while that is open; else the session's standalone stream.</summary>
    private async Task DeliverAsync(McpUpstreamMessageKind kind, string json, PendingUpstreamRequest? target)
    {
        if (target is { CarriesMessages: true })
        {
            await target.SendAsync(kind, json);
            return;
        }

        try
        {
            await GrainFactory.ReferenceTo<IMcpSessionGrain>(SessionId).AppendAsync(McpEventId.StandaloneStream, json);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogDeliveryFailed(logger, ex, Registration);
        }
    }

    /// <summary>Server requests of a request that has ended will get no answer the upstream still waits for: forget them.</summary>
    private void WithdrawServerRequests(PendingUpstreamRequest request)
    {
        foreach (var id in _serverRequests.Where(pair => ReferenceEquals(pair.Value.Within, request)).Select(pair => pair.Key).ToList())
        {
            _serverRequests.Remove(id);
        }
    }

    private async Task CancelUpstreamAsync(PendingUpstreamRequest request, string reason)
    {
        if (request.CancelSent || request.SentOn is not { } connection)
        {
            return;
        }

        request.CancelSent = true;
        await SendQuietlyAsync(connection, new JsonRpcNotification
        {
            Method = NotificationMethods.CancelledNotification,
            Params = new JsonObject { ["requestId"] = JsonSerializer.SerializeToNode(request.UpstreamId, McpJsonUtilities.DefaultOptions), ["reason"] = reason },
        });
    }

    private async Task SendQuietlyAsync(UpstreamConnection connection, JsonRpcMessage message)
    {
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await connection.SendAsync(message, deadline.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogSendFailed(logger, ex, Registration);
        }
    }

    /// <summary>Writes the state (or clears it) one write at a time: interleaved requests may both want to.</summary>
    private async Task WriteStateAsync(bool clear)
    {
        await _stateWrites.WaitAsync();
        try
        {
            if (clear)
            {
                await state.ClearStateAsync();
            }
            else
            {
                await state.WriteStateAsync();
            }
        }
        catch (Orleans.Storage.InconsistentStateException)
        {
            DeactivateOnIdle(); // another activation wrote meanwhile: the next one reads what it wrote
            throw;
        }
        finally
        {
            _stateWrites.Release();
        }
    }

    private RequestId NextId() => new($"{_idPrefix}-{++_nextId}");

    /// <summary>
    /// A server request's id downstream: the registration, then 128 random bits. A 2026 client answers by that id in a
    /// later request of its own, so knowing it is what lets a caller answer (others sharing a key cannot guess it).
    /// </summary>
    private string NextServerRequestId() => McpUpstreamKey.ServerRequestId(Registration, Guid.NewGuid().ToString("N"));

    private static RequestId? RequestIdOf(JsonNode? node)
    {
        try
        {
            return node is null ? null : node.Deserialize<RequestId>(McpJsonUtilities.DefaultOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

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

    /// <summary>
    /// A server request sent downstream: its upstream id, the session it came on, and the forwarded request it came within
    /// (if any); for an input a 2026-07-28 server asked for, where the answer waits to go with the request's next round.
    /// </summary>
    private sealed record ServerRequest(RequestId UpstreamId, UpstreamConnection Connection, PendingUpstreamRequest? Within, TaskCompletionSource<JsonRpcMessage>? Local = null);
}

/// <summary>The registration is gone or is no longer an MCP server.</summary>
internal sealed class UnknownRegistrationException() : Exception("The MCP server registration is gone.");
