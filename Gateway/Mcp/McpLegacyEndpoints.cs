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
/// The legacy HTTP+SSE transport (2024-11-05) for older clients: <c>GET /mcp/sse</c> opens the session and its
/// stream (first event: <c>endpoint</c>, the URL to POST to); <c>POST /mcp/messages?sessionId=</c> answers 202 on
/// any silo and the response is stored by the session grain, which pushes it to the silo holding the SSE connection,
/// as an <c>event: message</c>. The session ends when its stream closes.
/// </summary>
internal static partial class McpLegacyEndpoints
{
    public static void MapMcpLegacy(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/mcp/sse", ConnectAsync).RequireRateLimiting(AbuseLimits.ConnectPolicy);
        routes.MapPost("/mcp/messages", PostAsync).RequireRateLimiting(AbuseLimits.InvokePolicy);
    }

    private static async Task<IResult> ConnectAsync(
        HttpContext context,
        IGrainFactory grains,
        McpLocalStreams streams,
        IOptionsMonitor<McpOptions> options,
        TimeProvider time,
        IHostApplicationLifetime lifetime)
    {
        var sessionId = McpSessions.NewId();
        var session = grains.ReferenceTo<IMcpSessionGrain>(sessionId);
        var placeholder = new McpSessionInfo(McpProtocol.LegacySse, McpSessionInfo.LegacySse, string.Empty, string.Empty, "{}", CallerAccess.OwnerOf(context.User), null, time.GetUtcNow());
        switch (await session.StartSessionAsync(placeholder))
        {
            case McpSessionStart.OwnerAtLimit:
                return McpStreamableEndpoints.TransportError(StatusCodes.Status429TooManyRequests, McpSessions.TooManySessions(options.CurrentValue.MaxSessionsPerOwner));
            case McpSessionStart.IdInUse:
                return McpStreamableEndpoints.TransportError(StatusCodes.Status500InternalServerError, "Could not start a session; try again.");
        }

        try
        {
            var endpoint = $"{context.Request.PathBase}/mcp/messages?sessionId={sessionId}";
            await McpStreamRelay.RunAsync(context, streams, grains, sessionId, McpEventId.StandaloneStream, long.MaxValue, options.CurrentValue, lifetime.ApplicationStopping, endpoint);
        }
        finally
        {
            await McpUpstreamForwarding.EndSessionAsync(grains, sessionId);
        }

        return Results.Empty;
    }

    private static async Task<IResult> PostAsync(
        HttpContext context,
        IGrainFactory grains,
        McpDispatcher dispatcher,
        DetachedWork detached,
        IOptionsMonitor<McpOptions> options,
        IOptions<GatewayOptions> gatewayOptions,
        TimeProvider time,
        ILogger<McpDispatcher> logger)
    {
        var sessionId = context.Request.Query["sessionId"].ToString();
        if (sessionId.Length == 0)
        {
            return McpStreamableEndpoints.TransportError(StatusCodes.Status400BadRequest, "Bad Request: the sessionId query parameter is required.");
        }

        if (await McpSessions.FindAsync(grains, sessionId, context) is not { Transport: McpSessionInfo.LegacySse })
        {
            return McpStreamableEndpoints.TransportError(StatusCodes.Status404NotFound, "Session not found: open GET /mcp/sse first.");
        }

        var (document, problem) = await JsonBody.ReadObjectAsync(context, gatewayOptions.Value.MaxRequestBodyBytes);
        if (problem is not null)
        {
            return McpStreamableEndpoints.AsJsonRpc(problem);
        }

        McpMessage? message;
        using (document)
        {
            (message, var invalid) = McpMessage.Read(document!.RootElement);
            if (message is null)
            {
                return McpStreamableEndpoints.TransportError(StatusCodes.Status400BadRequest, invalid!);
            }
        }

        if (!message.IsRequest)
        {
            await McpUpstreamForwarding.RouteClientMessageAsync(grains, sessionId, message);
            return Results.Accepted();
        }

        // Answered in the background: the response goes to the SSE stream, wherever it is held.
        var session = grains.ReferenceTo<IMcpSessionGrain>(sessionId);
        var caller = context.User;
        var serverOptions = options.CurrentValue;
        _ = detached.Run(async giveUp =>
        {
            try
            {
                string? answer;
                if (message.Method == "initialize")
                {
                    var info = McpSessions.InfoFromInitialize(message, McpSessionInfo.LegacySse, CallerAccess.OwnerOf(caller), time.GetUtcNow());
                    if (McpSessions.CapabilitiesRefusal(info.ClientCapabilitiesJson) is { } tooLarge)
                    {
                        answer = McpProtocol.Error(message.IdJson, McpProtocol.InvalidParams, tooLarge);
                    }
                    else
                    {
                        await session.CompleteHandshakeAsync(info);
                        answer = McpProtocol.Result(message.IdJson, McpDispatcher.InitializeResult(info.ProtocolVersion, serverOptions));
                    }
                }
                else
                {
                    answer = await dispatcher.AnswerAsync(sessionId, message, caller, notification => session.AppendAsync(McpEventId.StandaloneStream, notification), CancellationToken.None)
                        .UnlessStoppedAsync(message, giveUp);
                }

                if (answer is not null)
                {
                    await session.AppendAsync(McpEventId.StandaloneStream, answer);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogAnswerFailed(logger, ex, message.Method ?? "?", sessionId);
                await session.AppendAsync(McpEventId.StandaloneStream, McpProtocol.Error(message.IdJson, McpProtocol.InternalError, "The server failed to answer this request; it was logged."));
            }
        });
        return Results.Text("Accepted", statusCode: StatusCodes.Status202Accepted);
    }
}
