using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace SseVirtualization.Grains.Mcp;

/// <summary>
/// The client side of MCP's Streamable HTTP transport, towards one upstream server session. Not the SDK's
/// <c>HttpClientTransport</c>: that one merges every stream into one channel, so a proxy cannot tell which request a
/// notification or a server request belongs to, and the SDK's session runs notification handlers concurrently with
/// the response they precede (the layer lost the last progress notification of most calls that way). Here every
/// message arrives, in order, with the request whose POST stream carried it (null on the standalone GET stream).
/// </summary>
internal sealed class UpstreamConnection(HttpClient http, Uri endpoint, IReadOnlyDictionary<string, string> headers)
{
    public const string SessionHeader = "Mcp-Session-Id";
    public const string VersionHeader = "MCP-Protocol-Version";

    /// <summary>How many times a dropped stream is resumed in a row without an event in between.</summary>
    private const int MaxResumeAttempts = 5;

    private static readonly TimeSpan DefaultRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(10);

    /// <summary>The upstream's session id (set by the initialize answer, or a stored one to resume).</summary>
    public string? SessionId { get; set; }

    /// <summary>The negotiated protocol version, sent on every request after initialize (or on every request, in 2026-07-28).</summary>
    public string? ProtocolVersion { get; set; }

    /// <summary>
    /// The server speaks 2026-07-28: requests stand alone and carry <c>Mcp-Method</c> (and <c>Mcp-Name</c>) headers
    /// that mirror their body; there is no session and no standalone stream.
    /// </summary>
    public bool Modern { get; set; }

    /// <summary>
    /// Posts a request and hands every message that comes back to <paramref name="onMessage"/> until its response
    /// (which is handed over too). A stream that ends early is resumed with GET and Last-Event-ID.
    /// </summary>
    public async Task RequestAsync(JsonRpcRequest request, Func<JsonRpcMessage, Task> onMessage, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            throw new McpException($"The MCP server answered 202 to the request '{request.Method}' without a response.");
        }

        if (IsEventStream(response))
        {
            var position = new StreamPosition();
            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
            {
                if (await ReadEventsAsync(body, request.Id, position, onMessage, cancellationToken))
                {
                    return;
                }
            }

            try
            {
                await ResumeAsync(request.Id, position, onMessage, cancellationToken);
            }
            catch (UpstreamSessionGoneException ex)
            {
                // Unlike a refused POST, the request ran: sending it again on a new session could run it twice.
                throw new McpException("The MCP server lost the session while it answered the request.", ex);
            }

            return;
        }

        var json = await response.Content.ReadAsStringAsync(cancellationToken);
        await onMessage(Parse(json) ?? throw new McpException("The MCP server answered with something that is not a JSON-RPC message."));
    }

    /// <summary>Posts a notification or a response: the server answers 202.</summary>
    public async Task SendAsync(JsonRpcMessage message, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(message, cancellationToken);
    }

    /// <summary>
    /// Reads the standalone GET stream until cancelled, resuming it after drops. Returns quietly when the server offers
    /// none (405); throws <see cref="UpstreamSessionGoneException"/> when the server forgot the session.
    /// </summary>
    public async Task ListenAsync(Func<JsonRpcMessage, Task> onMessage, CancellationToken cancellationToken)
    {
        var position = new StreamPosition();
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            using var get = NewRequest(HttpMethod.Get);
            get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (position.LastEventId is { } last)
            {
                get.Headers.TryAddWithoutValidation("Last-Event-ID", last);
            }

            try
            {
                using var response = await http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                ThrowIfFailed(response, orNone: true);
                if (!response.IsSuccessStatusCode || !IsEventStream(response))
                {
                    return; // the server offers no standalone stream (405), or refuses this one: asking again will not help
                }

                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                var before = position.Events;
                await ReadEventsAsync(body, awaited: null, position, onMessage, cancellationToken);
                failures = position.Events > before ? 0 : failures + 1;
            }
            catch (HttpRequestException) when (!cancellationToken.IsCancellationRequested)
            {
                failures++;
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
                failures++;
            }

            // Backs off while the server keeps failing, up to MaxRetry; a stream that delivered comes back at once.
            var delay = TimeSpan.FromTicks(Math.Min(MaxRetry.Ticks, (position.Retry ?? DefaultRetry).Ticks * Math.Max(1, failures)));
            await Task.Delay(delay, cancellationToken);
        }
    }

    /// <summary>Ends the upstream session (DELETE); a server that does not allow it is left to expire it.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        if (SessionId is null)
        {
            return;
        }

        using var delete = NewRequest(HttpMethod.Delete);
        using var response = await http.SendAsync(delete, cancellationToken);
    }

    private async Task ResumeAsync(RequestId awaited, StreamPosition position, Func<JsonRpcMessage, Task> onMessage, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxResumeAttempts; attempt++)
        {
            if (position.LastEventId is not { } last)
            {
                throw new McpException("The MCP server closed the request's stream before answering, and gave no event id to resume it with.");
            }

            await Task.Delay(position.Retry is { } retry && retry < MaxRetry ? retry : DefaultRetry, cancellationToken);
            using var get = NewRequest(HttpMethod.Get);
            get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            get.Headers.TryAddWithoutValidation("Last-Event-ID", last);
            using var response = await http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            ThrowIfFailed(response);
            var before = position.Events;
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            if (await ReadEventsAsync(body, awaited, position, onMessage, cancellationToken))
            {
                return;
            }

            if (position.Events > before)
            {
                attempt = 0; // it delivered: a fresh round of attempts
            }
        }

        throw new McpException("The MCP server's stream for a request kept closing without an answer.");
    }

    /// <summary>Reads SSE events into messages; returns true once the response to <paramref name="awaited"/> went by.</summary>
    private static async Task<bool> ReadEventsAsync(
        Stream body, RequestId? awaited, StreamPosition position, Func<JsonRpcMessage, Task> onMessage, CancellationToken cancellationToken)
    {
        var parser = SseParser.Create(body);
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            position.Retry = parser.ReconnectionInterval is { } retry && retry > TimeSpan.Zero ? retry : position.Retry;
            if (!string.IsNullOrEmpty(parser.LastEventId))
            {
                position.LastEventId = parser.LastEventId;
            }

            if (string.IsNullOrWhiteSpace(item.Data) || item.EventType is not ("message" or ""))
            {
                continue; // a priming event, or an event type MCP does not define
            }

            position.Events++;
            if (Parse(item.Data) is not { } message)
            {
                continue;
            }

            await onMessage(message);
            if (awaited is { } id && message is JsonRpcMessageWithId answer and (JsonRpcResponse or JsonRpcError) && answer.Id.Equals(id))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<HttpResponseMessage> PostAsync(JsonRpcMessage message, CancellationToken cancellationToken)
    {
        var post = NewRequest(HttpMethod.Post);
        if (Modern && message is JsonRpcRequest request)
        {
            post.Headers.TryAddWithoutValidation("Mcp-Method", request.Method);
            if ((request.Method is "tools/call" or "prompts/get" ? request.Params?["name"] : request.Method == "resources/read" ? request.Params?["uri"] : null) is JsonValue named
                && named.TryGetValue<string>(out var name))
            {
                post.Headers.TryAddWithoutValidation("Mcp-Name", HeaderValue(name));
            }
        }

        post.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        post.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        post.Content = new StringContent(JsonSerializer.Serialize(message, McpJsonUtilities.DefaultOptions), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(post, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        finally
        {
            post.Dispose();
        }

        if (response.Headers.TryGetValues(SessionHeader, out var ids) && ids.FirstOrDefault() is { Length: > 0 } id)
        {
            SessionId = id;
        }

        if (!response.IsSuccessStatusCode)
        {
            var status = response.StatusCode;
            string detail;
            using (response)
            {
                detail = await response.Content.ReadAsStringAsync(cancellationToken);
            }

            if (SessionId is not null && IsSessionGone(status, detail))
            {
                throw new UpstreamSessionGoneException();
            }

            throw new HttpRequestException($"The MCP server answered {(int)status}.", null, status);
        }

        return response;
    }

    /// <summary>A 404 for our session means the server forgot it; other failures throw unless <paramref name="orNone"/> (4xx: there is nothing to read).</summary>
    private void ThrowIfFailed(HttpResponseMessage response, bool orNone = false)
    {
        if (response.StatusCode == HttpStatusCode.NotFound && SessionId is not null)
        {
            throw new UpstreamSessionGoneException();
        }

        if (orNone && (int)response.StatusCode is >= 400 and < 500)
        {
            return;
        }

        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// 404 is the spec's answer for an unknown session; the TypeScript SDK's servers answer 400 with a -32000 error
    /// that names the session instead. Either way the request never ran, so repeating it on a new session is safe.
    /// </summary>
    private static bool IsSessionGone(HttpStatusCode status, string detail) =>
        status == HttpStatusCode.NotFound
        || (status == HttpStatusCode.BadRequest && detail.Contains("-32000", StringComparison.Ordinal)
            && (detail.Contains("session id", StringComparison.OrdinalIgnoreCase) || detail.Contains("session not found", StringComparison.OrdinalIgnoreCase)));

    private HttpRequestMessage NewRequest(HttpMethod method)
    {
        var request = new HttpRequestMessage(method, endpoint);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (SessionId is { } session)
        {
            request.Headers.TryAddWithoutValidation(SessionHeader, session);
        }

        if (ProtocolVersion is { } version)
        {
            request.Headers.TryAddWithoutValidation(VersionHeader, version);
        }

        return request;
    }

    /// <summary>A header value as 2026-07-28 sends it: plain printable ASCII as it is, anything else as <c>=?base64?…?=</c>.</summary>
    private static string HeaderValue(string value) =>
        value.Length > 0 && value.Trim() == value && value.All(ch => ch is >= ' ' and < (char)127) && !value.StartsWith("=?", StringComparison.Ordinal)
            ? value
            : $"=?base64?{Convert.ToBase64String(Encoding.UTF8.GetBytes(value))}?=";

    private static bool IsEventStream(HttpResponseMessage response) =>
        string.Equals(response.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);

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

    /// <summary>Where a stream stands: the last event id to resume from and the server's advised reconnection delay.</summary>
    private sealed class StreamPosition
    {
        public string? LastEventId { get; set; }

        public TimeSpan? Retry { get; set; }

        public long Events { get; set; }
    }
}

/// <summary>The upstream server no longer knows the session (it restarted or expired it).</summary>
internal sealed class UpstreamSessionGoneException() : Exception("The MCP server no longer knows this session.");
