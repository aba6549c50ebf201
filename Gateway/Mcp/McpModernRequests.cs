using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using SseVirtualization.Gateway.Security;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Requests of MCP 2026-07-28 at <c>/mcp</c>: no handshake and no session, each request carries its own envelope.
/// <c>server/discover</c> is answered from configuration; tools, prompts, resources and completions go through the
/// same dispatcher as the 2025 revisions, under a session the layer keeps per caller and client (it holds the upstream
/// sessions of remote MCP servers, which speak 2025); answers get what 2026 adds (<c>resultType</c>, cache hints,
/// <c>serverInfo</c>).
/// </summary>
internal sealed class McpModernRequests(
    McpDispatcher dispatcher,
    McpToolCatalog catalog,
    McpModernTasks tasks,
    McpIdempotentCalls idempotent,
    McpModernListen listen,
    McpToolRateLimits rateLimits,
    IGrainFactory grains,
    TimeProvider time)
{
    private static readonly HashSet<string> Forwarded = new(StringComparer.Ordinal)
    {
        "tools/list", "tools/call", "prompts/list", "prompts/get", "resources/list", "resources/templates/list", "resources/read", "completion/complete",
    };

    /// <summary>Results a client may cache (they say for how long, and for whom).</summary>
    private static readonly HashSet<string> Cacheable = new(StringComparer.Ordinal)
    {
        "tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read",
    };

    public async Task<IResult> AnswerAsync(HttpContext context, McpMessage message, McpOptions options)
    {
        if (!message.IsRequest)
        {
            return Results.Accepted(); // 2026-07-28 defines no client notifications over HTTP (closing a stream cancels)
        }

        var (envelope, refusal) = McpModernEnvelope.Read(message, context.Request);
        if (refusal is not null)
        {
            return refusal;
        }

        if (message.Method == "server/discover")
        {
            return Json(Complete(message.IdJson, DiscoverResult(options), options, cacheScope: "public"));
        }

        if (message.Method == "subscriptions/listen")
        {
            return await listen.RunAsync(context, message, options);
        }

        switch (message.Method)
        {
            case "tasks/get":
                return Json(Modernize(await tasks.GetAsync(message, context.User), message.Method, options));
            case "tasks/update" or "tasks/cancel":
                return Json(Modernize(McpModernTasks.Acknowledge(message), message.Method, options));
        }

        if (!Forwarded.Contains(message.Method!))
        {
            return McpModernEnvelope.Refuse(message, StatusCodes.Status404NotFound, McpProtocol.MethodNotFound, "Method not found");
        }

        if (McpSessions.CapabilitiesRefusal(envelope!.ClientCapabilitiesJson) is { } tooLarge)
        {
            return McpModernEnvelope.Refuse(message, StatusCodes.Status400BadRequest, McpProtocol.InvalidParams, tooLarge);
        }

        if (await SessionAsync(envelope!, context.User) is not { } sessionId)
        {
            return McpModernEnvelope.Refuse(message, StatusCodes.Status429TooManyRequests, McpProtocol.ServerError, McpSessions.TooManySessions(options.MaxSessionsPerOwner));
        }

        var request = WithoutEnvelope(message);
        if (message.Method == "tools/call" && McpModernTasks.Declared(envelope!) && await TaskAsync(sessionId, request, context.User) is { } task)
        {
            return Json(Modernize(task, message.Method, options));
        }

        var progress = request.Params.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("progressToken", out _);
        if (message.Method == "tools/call" && progress && McpStreamableEndpoints.Accepts(context.Request.Headers.Accept.ToString(), "text/event-stream"))
        {
            await StreamAsync(context, sessionId, request, envelope!, options);
            return Results.Empty;
        }

        // A JSON answer has no stream: what would come before it (progress nobody asked for) has nowhere to go.
        var inputs = new List<string>();
        var answer = await AnswerOrAskAsync(sessionId, request, context.User, notification => Keep(notification, inputs), context.RequestAborted);
        return Json(Finish(answer, inputs, request, options));
    }

    /// <summary>
    /// The dispatcher's answer, or, for a request that carries <c>requestState</c> (the client's next round of a
    /// multi-round-trip request), the answer of the upstream request it goes on with.
    /// </summary>
    private async Task<string?> AnswerOrAskAsync(string sessionId, McpMessage request, ClaimsPrincipal caller, Func<string, Task> notify, CancellationToken cancellationToken)
    {
        if (McpInputRounds.Resumes(request) is { } registration)
        {
            var responses = request.Params.TryGetProperty("inputResponses", out var given) && given.ValueKind == JsonValueKind.Object ? given.GetRawText() : "{}";
            return await McpUpstreamForwarding.ResumeAsync(grains, sessionId, registration, request, responses, notify, cancellationToken);
        }

        return await dispatcher.AnswerAsync(sessionId, request, caller, notify, cancellationToken);
    }

    /// <summary>A server request of the upstream is kept for the answer (a 2026 client is asked by a result); notifications are dropped.</summary>
    private static Task Keep(string message, List<string> inputs)
    {
        if (McpInputRounds.IsRequest(message))
        {
            inputs.Add(message);
        }

        return Task.CompletedTask;
    }

    /// <summary>The final answer: the upstream's, a result that asks for the kept inputs, or the cancellation's.</summary>
    private static string Finish(string? answer, List<string> inputs, McpMessage request, McpOptions options) =>
        inputs.Count > 0 ? McpInputRounds.InputRequired(request.IdJson, inputs)
        : answer is null ? McpProtocol.Error(request.IdJson, McpProtocol.RequestCancelled, "The request was cancelled.")
        : Modernize(answer, request.Method!, options);

    /// <summary>A call of a function, from a client that takes tasks, becomes a durable task; null for any other tool (it runs as a call).</summary>
    private async Task<string?> TaskAsync(string sessionId, McpMessage request, ClaimsPrincipal caller)
    {
        if (request.StringParam("name") is not { } name
            || await catalog.FindAsync(sessionId, name, caller) is not { UpstreamName: null } tool
            || !CallerAccess.MayCallTool(caller, tool.Source))
        {
            return null;
        }

        var arguments = request.Params.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.Object ? args.GetRawText() : "{}";
        // A retried call with its idempotency key gets the same task, not a second invocation (nor a second permit).
        return await idempotent.OnceAsync(request, caller, async () => rateLimits.Refusal(request, caller, tool) ?? await tasks.StartAsync(request, tool.Source, arguments, caller));
    }

    /// <summary>A call with a progress token: its progress (and logs, at the level it asked for) on its own SSE stream, then the answer. Closing the stream cancels it.</summary>
    private async Task StreamAsync(HttpContext context, string sessionId, McpMessage request, McpModernEnvelope envelope, McpOptions options)
    {
        using var writer = await McpSseWriter.StartAsync(context, sessionId: null);
        var aborted = context.RequestAborted;
        var inputs = new List<string>();
        var answer = await AnswerOrAskAsync(sessionId, request, context.User, async notification =>
        {
            if (notification.Contains("\"notifications/progress\"", StringComparison.Ordinal)
                || (envelope.LogLevel is not null && notification.Contains("\"notifications/message\"", StringComparison.Ordinal)))
            {
                await writer.MessageAsync(eventId: null, notification, aborted);
            }
            else
            {
                await Keep(notification, inputs);
            }
        }, aborted);
        if (answer is not null || inputs.Count > 0)
        {
            await writer.MessageAsync(eventId: null, Finish(answer, inputs, request, options), aborted);
        }
    }

    /// <summary>
    /// The session that holds this caller's and client's upstream sessions (2026 requests have none of their own):
    /// one per owner, client name and version, and the client's routed capabilities, started on first use, and again once expired.
    /// Each takes a slot of its owner like any session (a client may name itself anew on every request); null when none is left.
    /// </summary>
    private async Task<string?> SessionAsync(McpModernEnvelope envelope, ClaimsPrincipal caller)
    {
        var owner = CallerAccess.OwnerOf(caller);
        var capabilities = McpRoutedCapabilities.Of(envelope.ClientCapabilitiesJson);
        var id = "m" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{owner}\n{envelope.ClientName}\n{envelope.ClientVersion}\n{capabilities}")))[..31];
        var session = grains.ReferenceTo<IMcpSessionGrain>(id);
        if (await session.GetAsync() is null)
        {
            // Upstreams see the capabilities whose requests the layer can turn into multi-round-trip answers.
            var info = new McpSessionInfo(McpProtocol.Latest, McpSessionInfo.Stateless, envelope.ClientName, envelope.ClientVersion, capabilities, owner, envelope.LogLevel, time.GetUtcNow());
            if (await session.StartOrRenewAsync(info) == McpSessionStart.OwnerAtLimit)
            {
                return null;
            }
        }

        return id;
    }

    /// <summary>The request as the 2025 revisions know it: the 2026 envelope keys leave <c>_meta</c> (a progress token stays).</summary>
    private static McpMessage WithoutEnvelope(McpMessage message)
    {
        var root = JsonNode.Parse(message.RawJson)!.AsObject();
        if (root["params"]?["_meta"] is JsonObject meta)
        {
            foreach (var key in meta.Select(pair => pair.Key).Where(key => key.StartsWith(McpModernEnvelope.MetaPrefix, StringComparison.Ordinal)).ToList())
            {
                meta.Remove(key);
            }

            if (meta.Count == 0)
            {
                root["params"]!.AsObject().Remove("_meta");
            }
        }

        using var document = JsonDocument.Parse(root.ToJsonString());
        return McpMessage.Read(document.RootElement).Message! with { IdempotencyHeader = message.IdempotencyHeader };
    }

    /// <summary>What 2026-07-28 adds to an answer: <c>resultType</c>, cache hints on lists and reads, <c>serverInfo</c>; its resource-not-found code.</summary>
    private static string Modernize(string answerJson, string method, McpOptions options)
    {
        var answer = JsonNode.Parse(answerJson)!.AsObject();
        if (answer["result"] is JsonObject result)
        {
            result["resultType"] ??= "complete"; // a task says "task"
            if (Cacheable.Contains(method))
            {
                // Lists depend on the caller's scope and change when functions are registered: nothing to share or keep.
                result["ttlMs"] = 0;
                result["cacheScope"] = "private";
            }

            AddServerInfo(result, options);
        }
        else if (answer["error"] is JsonObject error && error["code"]?.GetValue<int>() == McpPromptsAndResources.ResourceNotFound)
        {
            error["code"] = McpProtocol.InvalidParams;
        }

        return answer.ToJsonString();
    }

    private static string Complete(string? idJson, JsonObject result, McpOptions options, string cacheScope)
    {
        result["resultType"] = "complete";
        result["ttlMs"] = 0;
        result["cacheScope"] = cacheScope;
        AddServerInfo(result, options);
        return McpProtocol.Result(idJson, result.ToJsonString());
    }

    private static void AddServerInfo(JsonObject result, McpOptions options)
    {
        var meta = result["_meta"] as JsonObject ?? [];
        meta[McpModernEnvelope.ServerInfoKey] = new JsonObject { ["name"] = options.ServerName, ["version"] = "1.0.0" };
        result["_meta"] = meta;
    }

    /// <summary>
    /// What this server offers 2026 clients: tools (whose list changes are sent on <c>subscriptions/listen</c>), prompts,
    /// resources, completions, and durable tasks for functions (the tasks extension). Not advertised: subscriptions to resources and logging, which the revision removed.
    /// </summary>
    private static JsonObject DiscoverResult(McpOptions options) => new()
    {
        ["supportedVersions"] = new JsonArray(McpModernEnvelope.Version),
        ["capabilities"] = new JsonObject
        {
            ["tools"] = new JsonObject { ["listChanged"] = true },
            ["prompts"] = new JsonObject(),
            ["resources"] = new JsonObject(),
            ["completions"] = new JsonObject(),
            ["extensions"] = new JsonObject { [McpModernTasks.Extension] = new JsonObject() },
        },
        ["instructions"] = McpDispatcher.Instructions,
    };

    private static IResult Json(string body) => Results.Content(body, "application/json");
}
