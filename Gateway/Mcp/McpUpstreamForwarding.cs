using System.Text.Json;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Forwards one request of a downstream session to its upstream session with a remote MCP server, and the
/// downstream client's own messages that concern its upstream sessions (answers to server requests,
/// cancellations, roots changes).
/// </summary>
internal static class McpUpstreamForwarding
{
    /// <summary>
    /// Sends <paramref name="method"/> upstream and returns the whole JSON-RPC answer for the client; what the upstream
    /// sends before it (progress, logs, sampling and elicitation requests) goes to <paramref name="notify"/> in order.
    /// Null when the client cancelled the request: no answer is due then.
    /// </summary>
    public static async Task<string?> ForwardAsync(
        IGrainFactory grains, string sessionId, string server, McpMessage request, string method, string paramsJson, Func<string, Task> notify, CancellationToken cancellationToken)
    {
        var upstream = grains.ReferenceTo<IMcpUpstreamGrain>(McpUpstreamKey.Format(sessionId, server));
        return await AnswerFromAsync(upstream.ForwardAsync(method, paramsJson, request.IdJson!, cancellationToken), request, method, notify);
    }

    /// <summary>
    /// Goes on with an upstream request that stopped at server requests a 2026-07-28 client answers in its next round
    /// (<paramref name="inputResponsesJson"/>); answers as <see cref="ForwardAsync"/> does.
    /// </summary>
    public static async Task<string?> ResumeAsync(
        IGrainFactory grains, string sessionId, string server, McpMessage request, string inputResponsesJson, Func<string, Task> notify, CancellationToken cancellationToken)
    {
        var upstream = grains.ReferenceTo<IMcpUpstreamGrain>(McpUpstreamKey.Format(sessionId, server));
        return await AnswerFromAsync(upstream.ResumeAsync(inputResponsesJson, cancellationToken), request, request.Method!, notify);
    }

    private static async Task<string?> AnswerFromAsync(IAsyncEnumerable<McpUpstreamMessage> messages, McpMessage request, string method, Func<string, Task> notify)
    {
        await foreach (var message in messages)
        {
            switch (message.Kind)
            {
                case McpUpstreamMessageKind.Notification or McpUpstreamMessageKind.Request:
                    await notify(message.Json);
                    break;
                case McpUpstreamMessageKind.Result:
                    return McpProtocol.Result(request.IdJson, message.Json);
                case McpUpstreamMessageKind.Error:
                    return McpProtocol.RawError(request.IdJson, message.Json);
                case McpUpstreamMessageKind.Failure:
                    var failure = JsonSerializer.Deserialize<string>(message.Json) ?? "The MCP server failed.";
                    return method == "tools/call"
                        ? McpProtocol.Result(request.IdJson, ToolResults.Failure(failure))
                        : McpProtocol.Error(request.IdJson, McpProtocol.InternalError, failure);
            }
        }

        return null; // cancelled by the client, or stopped at a server request a 2026 client answers in its next round
    }

    /// <summary>
    /// A message the client posted that is not a request: an answer to a forwarded server request goes to the upstream
    /// session that asked (its id names the registration); a cancellation or a roots change to every upstream session.
    /// </summary>
    public static async Task RouteClientMessageAsync(IGrainFactory grains, string sessionId, McpMessage message)
    {
        if (message.Method is null)
        {
            var id = message.IdJson is { Length: > 0 } raw && raw[0] == '"' ? JsonSerializer.Deserialize<string>(raw) : null;
            // The id is the client's to write: only a server this session has an upstream session with is asked.
            if (McpUpstreamKey.RegistrationOf(id) is { } registration && Http.Names.IsValidFunctionName(registration)
                && (await grains.ReferenceTo<IMcpSessionGrain>(sessionId).UpstreamsAsync()).Contains(registration))
            {
                await grains.ReferenceTo<IMcpUpstreamGrain>(McpUpstreamKey.Format(sessionId, registration)).AnswerAsync(message.RawJson);
            }

            return;
        }

        if (message.Method is "notifications/cancelled" or "notifications/roots/list_changed")
        {
            var upstreams = await grains.ReferenceTo<IMcpSessionGrain>(sessionId).UpstreamsAsync();
            await Task.WhenAll(upstreams.Select(registration =>
                grains.ReferenceTo<IMcpUpstreamGrain>(McpUpstreamKey.Format(sessionId, registration)).NotifyAsync(message.RawJson)));
        }
    }

    /// <summary>Ends the session, then its upstream sessions (a request still in flight cannot open a new one after).</summary>
    public static async Task EndSessionAsync(IGrainFactory grains, string sessionId)
    {
        var session = grains.ReferenceTo<IMcpSessionGrain>(sessionId);
        var upstreams = await session.UpstreamsAsync();
        await session.EndAsync();
        await Task.WhenAll(upstreams.Select(registration =>
            grains.ReferenceTo<IMcpUpstreamGrain>(McpUpstreamKey.Format(sessionId, registration)).EndAsync()));
    }
}
