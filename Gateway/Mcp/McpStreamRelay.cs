using Microsoft.AspNetCore.Http;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Relays one stream of a session to the response this silo holds: the stored messages after the client's
/// last event id, then live ones as the session pushes them here, with keep-alive comments. The standalone
/// stream runs until the client leaves or the silo drains; a POST's stream ends after its response.
/// </summary>
internal static class McpStreamRelay
{
    /// <summary>The longest function timeout (15 min) and some slack.</summary>
    private static readonly TimeSpan PostStreamWaitLimit = TimeSpan.FromMinutes(16);

    /// <summary>
    /// Runs until the stream ends. <c>after</c> is the sequence the client has seen up to (<see cref="long.MaxValue"/>
    /// for a fresh standalone stream); <c>legacyEndpoint</c>, for the legacy transport, is the URL sent first as
    /// the <c>endpoint</c> event.
    /// </summary>
    public static async Task RunAsync(
        HttpContext context,
        McpLocalStreams streams,
        IGrainFactory grains,
        string sessionId,
        int stream,
        long after,
        McpOptions options,
        CancellationToken stopping,
        string? legacyEndpoint = null)
    {
        var session = grains.ReferenceTo<IMcpSessionGrain>(sessionId);
        var standalone = stream == McpEventId.StandaloneStream;
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        if (!standalone)
        {
            // A POST's stream waits for its answer no longer than the longest call (an unknown stream, or a call
            // lost with its silo, must not hold the client forever); the client may then repeat the request.
            ending.CancelAfter(PostStreamWaitLimit);
        }

        var token = ending.Token;

        // Opened before the replay is read, so nothing stored meanwhile is missed (duplicates are skipped).
        await using var live = await streams.OpenAsync(sessionId, stream);
        try
        {
            using var writer = await McpSseWriter.StartAsync(context, legacyEndpoint is null ? sessionId : null);
            var stored = await session.ReplayAsync(stream, after == long.MaxValue ? 0 : after);
            var seen = after == long.MaxValue ? (stored.Count == 0 ? 0 : stored[^1].Sequence) : after;
            if (legacyEndpoint is not null)
            {
                await writer.EndpointAsync(legacyEndpoint, token);
            }
            else
            {
                await writer.PrimeAsync(McpEventId.Format(stream, seen), options.ReconnectDelay, token);
            }

            if (after != long.MaxValue)
            {
                foreach (var message in stored)
                {
                    await writer.MessageAsync(message.EventId, message.MessageJson, token);
                    if (!standalone && McpProtocol.IsResponse(message.MessageJson))
                    {
                        return;
                    }
                }
            }

            while (!token.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
                wait.CancelAfter(options.KeepAliveInterval);
                McpStreamEvent message;
                try
                {
                    message = await live.Reader.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    await writer.KeepAliveAsync(token);
                    continue;
                }

                if (message.Sequence <= seen)
                {
                    continue;
                }

                seen = message.Sequence;
                await writer.MessageAsync(legacyEndpoint is null ? message.EventId : null, message.MessageJson, token);
                if (!standalone && McpProtocol.IsResponse(message.MessageJson))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client left or the silo is draining: a client resumes elsewhere with Last-Event-ID.
        }
        catch (IOException)
        {
            // The connection broke mid-write.
        }
    }
}
