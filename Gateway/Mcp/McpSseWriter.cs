using System.Globalization;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using Microsoft.AspNetCore.Http;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// An MCP SSE stream, framed by <see cref="EventStreamResult"/>: <c>event: message</c> frames with ids, the priming
/// event (an id, a <c>retry:</c> and empty data, SEP-1699), the legacy <c>endpoint</c> event and keep-alive comments.
/// A POST's stream is written by the call running behind it and detached by the request when it stops waiting,
/// so writes go one at a time through a gate, and none after <see cref="DetachAsync"/>.
/// </summary>
internal sealed class McpSseWriter : IDisposable
{
    private readonly PipeWriter _body;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _detached;

    private McpSseWriter(PipeWriter body) => _body = body;

    public void Dispose() => _gate.Dispose();

    public static async Task<McpSseWriter> StartAsync(HttpContext context, string? sessionId)
    {
        var body = EventStreamResult.Begin(context);
        // MCP clients reach the cluster through proxies they do not configure: none may buffer the events.
        // (Client streams leave it to the deployed nginx configuration: a header per stream costs memory there.)
        context.Response.Headers["X-Accel-Buffering"] = "no";
        if (sessionId is not null)
        {
            context.Response.Headers[McpProtocol.SessionHeader] = sessionId;
        }

        await body.FlushAsync(context.RequestAborted);
        return new McpSseWriter(body);
    }

    public Task PrimeAsync(string eventId, TimeSpan retry, CancellationToken cancellationToken) =>
        WriteAsync(new SseItem<string>(string.Empty) { EventId = eventId, ReconnectionInterval = retry }, cancellationToken);

    /// <summary>A JSON-RPC message (compact JSON: one <c>data:</c> line that cannot break the framing).</summary>
    public Task MessageAsync(string? eventId, string messageJson, CancellationToken cancellationToken) =>
        WriteAsync(new SseItem<string>(messageJson, "message") { EventId = eventId }, cancellationToken);

    public Task EndpointAsync(string url, CancellationToken cancellationToken) =>
        WriteAsync(new SseItem<string>(url, "endpoint"), cancellationToken);

    public Task KeepAliveAsync(CancellationToken cancellationToken) =>
        WriteAsync(null, cancellationToken);

    /// <summary>Writes a message unless the stream was detached or has broken; never throws for those.</summary>
    public async Task TryMessageAsync(string? eventId, string messageJson)
    {
        try
        {
            await MessageAsync(eventId, messageJson, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            _detached = true; // the client went away; the message is stored for its resume
        }
    }

    /// <summary>Stops all writing (after it, the response ends and belongs to nobody); waits for a write in progress.</summary>
    public async Task DetachAsync()
    {
        await _gate.WaitAsync();
        _detached = true;
        _gate.Release();
    }

    /// <summary>Writes one event, or a keep-alive comment for null, and flushes it.</summary>
    private async Task WriteAsync(SseItem<string>? item, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_detached)
            {
                return;
            }

            if (item is { } frame)
            {
                EventStreamResult.Write(_body, frame);
            }
            else
            {
                EventStreamResult.WriteComment(_body, string.Create(CultureInfo.InvariantCulture, $"keep-alive {DateTimeOffset.UtcNow.ToUnixTimeSeconds()}"));
            }

            var flushed = await _body.FlushAsync(cancellationToken);
            if (flushed.IsCompleted)
            {
                throw new IOException("The client closed the stream.");
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
