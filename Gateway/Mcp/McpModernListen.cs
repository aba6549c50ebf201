using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// <c>subscriptions/listen</c> (MCP 2026-07-28): an SSE stream that first acknowledges the part of the client's filter
/// this server honors, then carries those notifications, each with the listen request's id as its subscription id.
/// Honored: <c>toolsListChanged</c> (a function or MCP server registered, changed or removed, anywhere in the cluster:
/// <see cref="McpCatalogListener"/> rings every listener of this silo). The stream ends when the client closes it; when
/// the silo shuts down it ends with the request's result, as the spec's graceful end.
/// </summary>
internal sealed class McpModernListen(IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<Channel<bool>, byte> _listeners = new();

    /// <summary>How many listen streams this silo holds.</summary>
    public int Count => _listeners.Count;

    /// <summary>Tells every listener of this silo that the tools changed (a listener that is behind needs one ring, not many).</summary>
    public void ToolsChanged()
    {
        foreach (var listener in _listeners.Keys)
        {
            listener.Writer.TryWrite(true);
        }
    }

    public async Task<IResult> RunAsync(HttpContext context, McpMessage message, McpOptions options)
    {
        if (!message.Params.TryGetProperty("notifications", out var filter) || filter.ValueKind != JsonValueKind.Object)
        {
            return McpModernEnvelope.Refuse(message, StatusCodes.Status400BadRequest, McpProtocol.InvalidParams, "'notifications' (the subscription filter, an object) is required.");
        }

        var tools = filter.TryGetProperty("toolsListChanged", out var wanted) && wanted.ValueKind == JsonValueKind.True;
        var subscription = JsonNode.Parse(message.IdJson!);
        using var writer = await McpSseWriter.StartAsync(context, sessionId: null);
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var token = ending.Token;
        var honored = new JsonObject();
        if (tools)
        {
            honored["toolsListChanged"] = true;
        }

        await writer.MessageAsync(eventId: null, Notification("notifications/subscriptions/acknowledged", new JsonObject { ["notifications"] = honored }, subscription), token);
        var rings = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
        if (tools)
        {
            _listeners.TryAdd(rings, 0);
        }

        try
        {
            while (!token.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
                wait.CancelAfter(options.KeepAliveInterval);
                try
                {
                    await rings.Reader.ReadAsync(wait.Token);
                    await writer.MessageAsync(eventId: null, Notification("notifications/tools/list_changed", [], subscription), token);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    await writer.KeepAliveAsync(token);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client closed the stream (that is how a 2026 client ends a subscription), or the silo is stopping.
        }
        catch (IOException)
        {
            // The connection broke.
        }
        finally
        {
            _listeners.TryRemove(rings, out _);
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            var end = new JsonObject { ["resultType"] = "complete", ["_meta"] = new JsonObject { [McpModernEnvelope.SubscriptionIdKey] = subscription?.DeepClone() } };
            await writer.TryMessageAsync(eventId: null, McpProtocol.Result(message.IdJson, end.ToJsonString()));
        }

        return Results.Empty;
    }

    private static string Notification(string method, JsonObject parameters, JsonNode? subscription)
    {
        parameters["_meta"] = new JsonObject { [McpModernEnvelope.SubscriptionIdKey] = subscription?.DeepClone() };
        return McpProtocol.Notification(method, parameters.ToJsonString());
    }
}
