using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Mcp;

/// <summary>
/// Remote MCP servers that speak 2026-07-28: found by a <c>server/discover</c> probe before any handshake, spoken to
/// with the per-request envelope, their answers told in the 2025 terms the layer's sessions use, and their
/// multi-round-trip requests (a result that asks for input) turned into server requests to the client, whose answers
/// go back with the request's next round.
/// </summary>
internal sealed partial class McpUpstreamGrain
{
    private const string ModernVersion = "2026-07-28";
    private const string MetaPrefix = "io.modelcontextprotocol/";

    /// <summary>How many times one request may come back asking for input before the layer gives up on it.</summary>
    private const int MaxInputRounds = 8;

    /// <summary>What a 2026-07-28 request says of its client: the session's version, routed capabilities and name.</summary>
    private static JsonObject Envelope(McpSessionInfo session, JsonObject capabilities)
    {
        var envelope = new JsonObject
        {
            [MetaPrefix + "protocolVersion"] = ModernVersion,
            [MetaPrefix + "clientCapabilities"] = capabilities.DeepClone(),
            [MetaPrefix + "clientInfo"] = ClientInfo(session),
        };
        if (session.LogLevel is { } level)
        {
            envelope[MetaPrefix + "logLevel"] = level;
        }

        return envelope;
    }

    private static JsonObject ClientInfo(McpSessionInfo session) => new()
    {
        ["name"] = session.ClientName.Length > 0 ? session.ClientName : "sse-virtualization-layer",
        ["version"] = session.ClientVersion.Length > 0 ? session.ClientVersion : "1.0.0",
    };

    /// <summary>
    /// Asks whether the server speaks 2026-07-28 (<c>server/discover</c>); returns its capabilities when it does, null when
    /// it answers anything else (a 2025 server refuses a request without a session), leaving the connection for a handshake.
    /// </summary>
    private async Task<JsonObject?> DiscoverAsync(UpstreamConnection connection, McpServerRegistration registration, JsonObject envelope)
    {
        connection.Modern = true;
        connection.ProtocolVersion = ModernVersion;
        var probe = new JsonRpcRequest { Id = NextId(), Method = "server/discover", Params = new JsonObject { ["_meta"] = envelope.DeepClone() } };
        JsonRpcMessage? answer = null;
        try
        {
            using var deadline = new CancellationTokenSource(registration.Timeout < TimeSpan.FromSeconds(10) ? registration.Timeout : TimeSpan.FromSeconds(10));
            await connection.RequestAsync(probe, message =>
            {
                answer = message is JsonRpcMessageWithId reply && reply.Id.Equals(probe.Id) ? message : answer;
                return Task.CompletedTask;
            }, deadline.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or McpException or OperationCanceledException or UpstreamSessionGoneException or IOException)
        {
            answer = null;
        }

        if (answer is JsonRpcResponse { Result: JsonObject result } && result["supportedVersions"] is JsonArray versions
            && versions.Any(v => v is JsonValue value && value.TryGetValue<string>(out var text) && text == ModernVersion))
        {
            return result["capabilities"] as JsonObject ?? [];
        }

        connection.Modern = false;
        connection.ProtocolVersion = null;
        connection.SessionId = null;
        return null;
    }

    /// <summary>The request as a 2026-07-28 server needs it: the envelope in its <c>_meta</c>.</summary>
    private static void AddEnvelope(JsonRpcRequest request, JsonObject envelope)
    {
        var parameters = request.Params as JsonObject ?? [];
        var meta = parameters["_meta"] as JsonObject ?? [];
        foreach (var (key, value) in envelope)
        {
            meta[key] = value?.DeepClone();
        }

        parameters["_meta"] = meta;
        request.Params = parameters;
    }

    /// <summary>A 2026-07-28 result in 2025 terms: no <c>resultType</c>, cache hints or <c>serverInfo</c>.</summary>
    private static string AsSessionResult(JsonObject result)
    {
        result.Remove("resultType");
        result.Remove("ttlMs");
        result.Remove("cacheScope");
        if (result["_meta"] is JsonObject meta)
        {
            meta.Remove(MetaPrefix + "serverInfo");
            if (meta.Count == 0)
            {
                result.Remove("_meta");
            }
        }

        return result.ToJsonString();
    }

    /// <summary>
    /// Answers a result that asks for input: each input request goes to the client as a server request on the request's
    /// stream (the client declared the capability, or the server would not ask), and the next round carries the answers
    /// and the server's request state. False when the request ended instead (the client refused, or there is no client).
    /// </summary>
    private async Task<bool> FulfilInputAsync(Connected connected, PendingUpstreamRequest request, JsonObject inputRequired, CancellationToken cancellationToken)
    {
        if (!request.CarriesMessages)
        {
            request.Finish(McpUpstreamMessageKind.Failure, "The MCP server asked for input that no client can give here.");
            return false;
        }

        var waits = new List<(string Key, Task<JsonRpcMessage> Answer)>();
        foreach (var (key, input) in inputRequired["inputRequests"] as JsonObject ?? [])
        {
            var method = input?["method"] is JsonValue m && m.TryGetValue<string>(out var text) ? text : null;
            if (method is null)
            {
                continue;
            }

            var downstreamId = NextServerRequestId();
            var answer = new TaskCompletionSource<JsonRpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            _serverRequests[downstreamId] = new ServerRequest(default, connected.Connection, request, answer);
            request.AwaitClient();
            var asked = new JsonRpcRequest { Id = new RequestId(downstreamId), Method = method, Params = input!["params"]?.DeepClone() };
            await DeliverAsync(McpUpstreamMessageKind.Request, JsonSerializer.Serialize<JsonRpcMessage>(asked, McpJsonUtilities.DefaultOptions), request);
            waits.Add((key, answer.Task));
        }

        var responses = new JsonObject();
        foreach (var (key, wait) in waits)
        {
            switch (await wait.WaitAsync(cancellationToken))
            {
                case JsonRpcResponse response:
                    responses[key] = response.Result?.DeepClone();
                    break;
                case JsonRpcError error:
                    request.Finish(McpUpstreamMessageKind.Error, JsonSerializer.Serialize(error.Error, McpJsonUtilities.DefaultOptions));
                    return false;
            }
        }

        var parameters = request.Params as JsonObject ?? [];
        parameters["inputResponses"] = responses;
        if (inputRequired["requestState"] is { } requestState)
        {
            parameters["requestState"] = requestState.DeepClone();
        }
        else
        {
            parameters.Remove("requestState");
        }

        request.Params = parameters;
        return true;
    }
}
