using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Gateway.Http;
using SseVirtualization.Gateway.Security;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// The Streamable HTTP transport at <c>/mcp</c> (MCP 2025-11-25, also 2025-06-18 and 2025-03-26): POST a message,
/// GET the standalone stream or resume one with Last-Event-ID, DELETE the session. The session lives in its
/// grain, so every request may land on any silo. A POST that carries the 2026-07-28 envelope stands alone
/// (<see cref="McpModernRequests"/>).
/// </summary>
internal static partial class McpStreamableEndpoints
{
    public static void MapMcpStreamable(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/mcp", PostAsync).RequireRateLimiting(AbuseLimits.InvokePolicy);
        routes.MapGet("/mcp", GetAsync).RequireRateLimiting(AbuseLimits.ConnectPolicy);
        routes.MapDelete("/mcp", DeleteAsync);
    }

    private static async Task<IResult> PostAsync(
        HttpContext context,
        IGrainFactory grains,
        McpDispatcher dispatcher,
        DetachedWork detached,
        McpModernRequests modern,
        IOptionsMonitor<McpOptions> mcpOptions,
        IOptions<GatewayOptions> gatewayOptions,
        TimeProvider time,
        ILogger<McpDispatcher> logger)
    {
        var accept = context.Request.Headers.Accept.ToString();
        if (accept.Length > 0 && !Accepts(accept, "application/json") && !Accepts(accept, "text/event-stream"))
        {
            return TransportError(StatusCodes.Status406NotAcceptable, "Not Acceptable: the client must accept application/json and text/event-stream.");
        }

        if (!(context.Request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return TransportError(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type: the body must be application/json.");
        }

        var (document, problem) = await JsonBody.ReadObjectAsync(context, gatewayOptions.Value.MaxRequestBodyBytes);
        if (problem is not null)
        {
            return AsJsonRpc(problem);
        }

        using (document)
        {
            var (read, invalid) = McpMessage.Read(document!.RootElement);
            var message = read;
            if (message is null)
            {
                return Results.Content(McpProtocol.Error(null, McpProtocol.InvalidRequest, invalid!), "application/json", statusCode: StatusCodes.Status400BadRequest);
            }

            if (context.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } idempotencyKey)
            {
                message = message with { IdempotencyHeader = idempotencyKey };
            }

            var options = mcpOptions.CurrentValue;
            if (McpModernEnvelope.IsModern(message, context.Request))
            {
                // 2026-07-28: the request stands alone (no session), as its envelope says; checked before any session is asked for.
                return await modern.AnswerAsync(context, message, options);
            }

            if (message.Method == "initialize")
            {
                return await InitializeAsync(context, grains, message, options, time);
            }

            var sessionId = context.Request.Headers[McpProtocol.SessionHeader].ToString();
            if (sessionId.Length == 0)
            {
                return TransportError(StatusCodes.Status400BadRequest, "Bad Request: the Mcp-Session-Id header is required (initialize first).");
            }

            if (VersionRefusal(context) is { } badVersion)
            {
                return badVersion;
            }

            if (await McpSessions.FindAsync(grains, sessionId, context) is null)
            {
                return TransportError(StatusCodes.Status404NotFound, "Session not found: it has ended or expired; initialize a new one.");
            }

            if (!message.IsRequest)
            {
                // Answers to forwarded server requests, cancellations, roots changes: on to the upstream sessions.
                await McpUpstreamForwarding.RouteClientMessageAsync(grains, sessionId, message);
                return Results.Accepted();
            }

            if (McpDispatcher.IsLong(message) && Accepts(accept, "text/event-stream"))
            {
                await StreamAnswerAsync(context, grains, dispatcher, detached, sessionId, message, options, logger);
                return Results.Empty;
            }

            // A JSON answer has no stream of its own: what comes before it goes to the session's standalone stream.
            var standalone = grains.ReferenceTo<IMcpSessionGrain>(sessionId);
            var answer = await AnswerSafelyAsync(dispatcher, sessionId, message, context, notification => standalone.AppendAsync(McpEventId.StandaloneStream, notification), logger)
                ?? McpProtocol.Error(message.IdJson, McpProtocol.RequestCancelled, "The request was cancelled.");
            context.Response.Headers[McpProtocol.SessionHeader] = sessionId;
            return Results.Content(answer, "application/json");
        }
    }

    private static async Task<IResult> InitializeAsync(HttpContext context, IGrainFactory grains, McpMessage message, McpOptions options, TimeProvider time)
    {
        if (!message.IsRequest)
        {
            return TransportError(StatusCodes.Status400BadRequest, "initialize must be a request (with an id).");
        }

        var info = McpSessions.InfoFromInitialize(message, McpSessionInfo.StreamableHttp, CallerAccess.OwnerOf(context.User), time.GetUtcNow());
        if (McpSessions.CapabilitiesRefusal(info.ClientCapabilitiesJson) is { } tooLarge)
        {
            return Results.Content(McpProtocol.Error(message.IdJson, McpProtocol.InvalidParams, tooLarge), "application/json", statusCode: StatusCodes.Status400BadRequest);
        }

        var sessionId = McpSessions.NewId();
        switch (await grains.ReferenceTo<IMcpSessionGrain>(sessionId).StartSessionAsync(info))
        {
            case McpSessionStart.OwnerAtLimit:
                return Results.Content(
                    McpProtocol.Error(message.IdJson, McpProtocol.ServerError, McpSessions.TooManySessions(options.MaxSessionsPerOwner)),
                    "application/json",
                    statusCode: StatusCodes.Status429TooManyRequests);
            case McpSessionStart.IdInUse:
                return TransportError(StatusCodes.Status500InternalServerError, "Could not start a session; try again.");
        }

        context.Response.Headers[McpProtocol.SessionHeader] = sessionId;
        return Results.Content(McpProtocol.Result(message.IdJson, McpDispatcher.InitializeResult(info.ProtocolVersion, options)), "application/json");
    }

    /// <summary>
    /// Answers a long request on an SSE stream: a priming event first, then notifications and the response, each
    /// stored in the session before it is written, so a client that lost the stream (or that the stream was
    /// closed on after <see cref="McpOptions.PollAfter"/>) resumes with GET and Last-Event-ID on any silo. The
    /// call itself is not tied to this connection.
    /// </summary>
    private static async Task StreamAnswerAsync(
        HttpContext context, IGrainFactory grains, McpDispatcher dispatcher, DetachedWork detached, string sessionId, McpMessage request, McpOptions options, ILogger logger)
    {
        var session = grains.ReferenceTo<IMcpSessionGrain>(sessionId);
        var stream = await session.OpenStreamAsync();
        var writer = await McpSseWriter.StartAsync(context, sessionId);
        var aborted = context.RequestAborted;
        await writer.PrimeAsync(McpEventId.Format(stream, 0), options.ReconnectDelay, aborted);
        var caller = context.User;
        var work = detached.Run(async giveUp =>
        {
            var answer = await AnswerSafelyAsync(dispatcher, sessionId, request, context: null, async notification =>
            {
                var id = await session.AppendAsync(stream, notification);
                await writer.TryMessageAsync(id, notification);
            }, logger, caller).UnlessStoppedAsync(request, giveUp);
            if (answer is null)
            {
                return; // cancelled by the client: no answer is due, the stream just ends
            }

            try
            {
                var answerId = await session.AppendAsync(stream, answer);
                await writer.TryMessageAsync(answerId, answer);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not stored (so not resumable), but a client still on this stream gets its answer.
                LogAnswerNotStored(logger, ex, sessionId);
                await writer.TryMessageAsync(McpEventId.Format(stream, long.MaxValue), answer);
            }
        });

        var pollAfter = options.PollAfter is { } after ? Task.Delay(after, aborted) : Task.Delay(Timeout.Infinite, aborted);
        try
        {
            await Task.WhenAny(work, pollAfter);
        }
        finally
        {
            await writer.DetachAsync();
        }

        if (!work.IsCompleted)
        {
            // The call goes on: its messages land in the session for the client's GET with Last-Event-ID.
            _ = work.ContinueWith(t => LogDetachedFailed(logger, t.Exception!, sessionId), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private static async Task<string?> AnswerSafelyAsync(
        McpDispatcher dispatcher, string sessionId, McpMessage request, HttpContext? context, Func<string, Task> notify, ILogger logger, System.Security.Claims.ClaimsPrincipal? caller = null)
    {
        try
        {
            return await dispatcher.AnswerAsync(sessionId, request, caller ?? context!.User, notify, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogAnswerFailed(logger, ex, request.Method ?? "?", sessionId);
            return McpProtocol.Error(request.IdJson, McpProtocol.InternalError, "The server failed to answer this request; it was logged.");
        }
    }

    /// <summary>
    /// The standalone stream (server notifications), or with Last-Event-ID the rest of a stream the client lost:
    /// the stored messages after that id, then live ones; a POST's stream ends with its response.
    /// </summary>
    private static async Task<IResult> GetAsync(
        HttpContext context,
        IGrainFactory grains,
        McpLocalStreams streams,
        IOptionsMonitor<McpOptions> mcpOptions,
        IHostApplicationLifetime lifetime)
    {
        if (!Accepts(context.Request.Headers.Accept.ToString(), "text/event-stream"))
        {
            return TransportError(StatusCodes.Status406NotAcceptable, "Not Acceptable: GET /mcp serves text/event-stream.");
        }

        var sessionId = context.Request.Headers[McpProtocol.SessionHeader].ToString();
        if (sessionId.Length == 0)
        {
            return TransportError(StatusCodes.Status400BadRequest, "Bad Request: the Mcp-Session-Id header is required.");
        }

        if (VersionRefusal(context) is { } badVersion)
        {
            return badVersion;
        }

        if (await McpSessions.FindAsync(grains, sessionId, context) is null)
        {
            return TransportError(StatusCodes.Status404NotFound, "Session not found: it has ended or expired; initialize a new one.");
        }

        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        var stream = McpEventId.StandaloneStream;
        var after = long.MaxValue;
        if (lastEventId.Length > 0)
        {
            if (!McpEventId.TryParse(lastEventId, out stream, out after))
            {
                return TransportError(StatusCodes.Status400BadRequest, "Bad Request: Last-Event-ID is not an event id of this server.");
            }
        }

        await McpStreamRelay.RunAsync(context, streams, grains, sessionId, stream, after, mcpOptions.CurrentValue, lifetime.ApplicationStopping);
        return Results.Empty;
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, IGrainFactory grains)
    {
        var sessionId = context.Request.Headers[McpProtocol.SessionHeader].ToString();
        if (sessionId.Length == 0)
        {
            return TransportError(StatusCodes.Status400BadRequest, "Bad Request: the Mcp-Session-Id header is required.");
        }

        if (await McpSessions.FindAsync(grains, sessionId, context) is null)
        {
            return TransportError(StatusCodes.Status404NotFound, "Session not found.");
        }

        await McpUpstreamForwarding.EndSessionAsync(grains, sessionId);
        return Results.Ok();
    }

    /// <summary>The guard's and the caller checks' refusal, or null: the filter on every MCP route (McpHostingExtensions).</summary>
    internal static IResult? Refusal(HttpContext context, McpRequestGuard guard, CallerAccess access)
    {
        if (guard.Refusal(context.Request) is { } rebinding)
        {
            return TransportError(StatusCodes.Status403Forbidden, $"Forbidden: {rebinding}");
        }

        return access.ForMcp(context);
    }

    /// <summary>A malformed body is a JSON-RPC parse error (-32700) for MCP clients; a too-large one stays a 413 problem.</summary>
    internal static IResult AsJsonRpc(Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult problem) =>
        problem.StatusCode == StatusCodes.Status400BadRequest
            ? Results.Content(McpProtocol.Error(null, McpProtocol.ParseError, problem.ProblemDetails.Detail ?? "Parse error"), "application/json", statusCode: StatusCodes.Status400BadRequest)
            : problem;

    private static IResult? VersionRefusal(HttpContext context)
    {
        var version = context.Request.Headers[McpProtocol.VersionHeader].ToString();
        return version.Length > 0 && !McpProtocol.IsSupported(version)
            ? TransportError(StatusCodes.Status400BadRequest, $"Bad Request: unsupported MCP-Protocol-Version '{version}'; supported: {string.Join(", ", McpProtocol.Supported)}.")
            : null;
    }

    internal static IResult TransportError(int status, string message) =>
        Results.Content(McpProtocol.Error(null, McpProtocol.ServerError, message), "application/json", statusCode: status);

    internal static bool Accepts(string accept, string mediaType) =>
        accept.Contains(mediaType, StringComparison.OrdinalIgnoreCase) || accept.Contains("*/*", StringComparison.Ordinal);
}
