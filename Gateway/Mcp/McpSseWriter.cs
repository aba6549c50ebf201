using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Writes an MCP SSE stream: <c>event: message</c> frames with ids, the priming event (an id, a <c>retry:</c> and
/// empty data, SEP-1699), the legacy <c>endpoint</c> event and keep-alive comments. JSON-RPC messages are compact
/// JSON, so each is one <c>data:</c> line and cannot break the framing.
/// </summary>
internal sealed class McpSseWriter : IDisposable
{
    private readonly HttpResponse _response;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _detached;

    private McpSseWriter(HttpResponse response) => _response = response;

    public void Dispose() => _gate.Dispose();

    public static async Task<McpSseWriter> StartAsync(HttpContext context, string? sessionId)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-transform";
        response.Headers["X-Accel-Buffering"] = "no";
        if (sessionId is not null)
        {
            response.Headers[McpProtocol.SessionHeader] = sessionId;
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.Body.FlushAsync(context.RequestAborted);
        return new McpSseWriter(response);
    }

    public Task PrimeAsync(string eventId, TimeSpan retry, CancellationToken cancellationToken) =>
        WriteAsync($"id: {eventId}\nretry: {(long)retry.TotalMilliseconds}\ndata: \n\n", cancellationToken);

    public Task MessageAsync(string? eventId, string messageJson, CancellationToken cancellationToken) =>
        WriteAsync(eventId is null ? $"event: message\ndata: {messageJson}\n\n" : $"id: {eventId}\nevent: message\ndata: {messageJson}\n\n", cancellationToken);

    public Task EndpointAsync(string url, CancellationToken cancellationToken) =>
        WriteAsync($"event: endpoint\ndata: {url}\n\n", cancellationToken);

    public Task KeepAliveAsync(CancellationToken cancellationToken) =>
        WriteAsync(string.Create(CultureInfo.InvariantCulture, $": keep-alive {DateTimeOffset.UtcNow.ToUnixTimeSeconds()}\n\n"), cancellationToken);

    /// <summary>Writes a message unless the stream was detached or has broken; never throws for those.</summary>
    public async Task TryMessageAsync(string eventId, string messageJson)
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

    private async Task WriteAsync(string frame, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_detached)
            {
                return;
            }

            await _response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), cancellationToken);
            await _response.Body.FlushAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
