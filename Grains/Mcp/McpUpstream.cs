using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Mcp;

/// <summary>
/// The layer as a client of one remote MCP server, with the official C# SDK's <see cref="McpClient"/> over
/// Streamable HTTP. Connects on first use, resumes a stored session (no second initialize), and when the upstream
/// has forgotten the session (404) starts a new one and repeats the request once, so callers never see it.
/// </summary>
internal sealed partial class McpUpstream(
    Uri endpoint,
    IReadOnlyDictionary<string, string> headers,
    HttpClient http,
    UpstreamSession? stored,
    Func<UpstreamSession?, Task> saveAsync,
    Action toolsChanged,
    TimeSpan toolsTtl,
    TimeProvider time,
    ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly ILogger _logger = loggers.CreateLogger<McpUpstream>();

    // Only scheme, host and path in logs: query strings often carry keys.
    private readonly string _endpointName = endpoint.GetLeftPart(UriPartial.Path);
    private McpClient? _client;
    private volatile bool _disposed;
    private McpClient? _listedOn;
    private UpstreamSession? _session = stored;
    private IReadOnlyList<McpUpstreamTool>? _tools;
    private DateTimeOffset _toolsExpireAt;

    public async Task<IReadOnlyList<McpUpstreamTool>> ListToolsAsync(CancellationToken cancellationToken)
    {
        if (_tools is { } cached && time.GetUtcNow() < _toolsExpireAt)
        {
            return cached;
        }

        var tools = await WithSessionAsync(client => ListFromAsync(client, cancellationToken), cancellationToken);
        _tools = tools;
        _toolsExpireAt = time.GetUtcNow() + toolsTtl;
        return tools;
    }

    public async IAsyncEnumerable<McpUpstreamMessage> CallToolAsync(
        string tool, string argumentsJson, string? progressTokenJson, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(argumentsJson)?
            .ToDictionary(pair => pair.Key, pair => (object?)pair.Value) ?? [];
        var messages = Channel.CreateUnbounded<McpUpstreamMessage>(new UnboundedChannelOptions { SingleReader = true });
        var progress = progressTokenJson is null ? null : new ChannelProgress(messages.Writer, progressTokenJson);
        // Started on the caller's (the grain's) scheduler, not the thread pool: reconnecting writes grain state.
        var call = CallAsync();
        async Task CallAsync()
        {
            try
            {
                var result = await WithSessionAsync(
                    async client =>
                    {
                        await EnsureToolsKnownAsync(client, cancellationToken);
                        return await client.CallToolAsync(tool, arguments, progress, cancellationToken: cancellationToken);
                    },
                    cancellationToken);
                messages.Writer.TryWrite(new McpUpstreamMessage(McpUpstreamMessageKind.Result, JsonSerializer.Serialize(result, McpJsonUtilities.DefaultOptions)));
            }
            catch (McpProtocolException ex)
            {
                messages.Writer.TryWrite(new McpUpstreamMessage(McpUpstreamMessageKind.Error, ErrorJson((int)ex.ErrorCode, ex.Message)));
            }
            catch (OperationCanceledException)
            {
                messages.Writer.TryWrite(new McpUpstreamMessage(McpUpstreamMessageKind.Result, FailureResultJson("The MCP server behind this tool did not answer within the registration's timeout.")));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The upstream failed the call (unreachable, broken answer): a tool failure the model can see.
                // The details (addresses, internals) go to the log, not to the client.
                LogCallFailed(_logger, ex, _endpointName, tool);
                messages.Writer.TryWrite(new McpUpstreamMessage(McpUpstreamMessageKind.Result, FailureResultJson("The MCP server behind this tool could not be reached or failed; the layer's log has the details.")));
            }
            finally
            {
                messages.Writer.TryComplete();
            }
        }

        // Not cancelled by the deadline: the call turns a timeout into a result and then completes the channel.
        await foreach (var message in messages.Reader.ReadAllAsync(CancellationToken.None))
        {
            yield return message;
        }

        await call;
    }

    /// <summary>
    /// Forwards a prompts or resources request as raw JSON-RPC. A list method follows <c>nextCursor</c> and merges
    /// the pages; one the server has no capability for answers an empty list without asking it.
    /// </summary>
    public async Task<McpUpstreamMessage> RequestAsync(string method, string paramsJson, CancellationToken cancellationToken)
    {
        var listKey = method switch
        {
            "prompts/list" => "prompts",
            "resources/list" => "resources",
            "resources/templates/list" => "resourceTemplates",
            _ => null,
        };
        try
        {
            return await WithSessionAsync(async client =>
            {
                var capable = method.StartsWith("prompts/", StringComparison.Ordinal) ? client.ServerCapabilities.Prompts is not null : client.ServerCapabilities.Resources is not null;
                if (listKey is null)
                {
                    return capable
                        ? new McpUpstreamMessage(McpUpstreamMessageKind.Result, await SendAsync(client, method, JsonNode.Parse(paramsJson), cancellationToken))
                        : new McpUpstreamMessage(McpUpstreamMessageKind.Error, ErrorJson((int)McpErrorCode.MethodNotFound, $"This server has no {method.Split('/')[0]}."));
                }

                var merged = new JsonArray();
                string? cursor = null;
                for (var page = 0; capable && page < 100; page++)
                {
                    var parameters = new JsonObject();
                    if (cursor is not null)
                    {
                        parameters["cursor"] = cursor;
                    }

                    var result = JsonNode.Parse(await SendAsync(client, method, parameters, cancellationToken))!.AsObject();
                    if (result[listKey] is JsonArray items)
                    {
                        foreach (var item in items.ToList())
                        {
                            items.Remove(item);
                            merged.Add(item);
                        }
                    }

                    cursor = result["nextCursor"]?.GetValue<string>();
                    if (cursor is null)
                    {
                        break;
                    }
                }

                return new McpUpstreamMessage(McpUpstreamMessageKind.Result, new JsonObject { [listKey] = merged }.ToJsonString());
            }, cancellationToken);
        }
        catch (McpProtocolException ex)
        {
            return new McpUpstreamMessage(McpUpstreamMessageKind.Error, ErrorJson((int)ex.ErrorCode, ex.Message));
        }
    }

    private static async Task<string> SendAsync(McpClient client, string method, JsonNode? parameters, CancellationToken cancellationToken)
    {
        var response = await client.SendRequestAsync(new JsonRpcRequest { Method = method, Params = parameters }, cancellationToken);
        return response.Result?.ToJsonString() ?? "{}";
    }

    /// <summary>Lists every page; the SDK client also remembers the tools, which it uses when calling them.</summary>
    private async Task<List<McpUpstreamTool>> ListFromAsync(McpClient client, CancellationToken cancellationToken)
    {
        var tools = await client.ListToolsAsync(cancellationToken: cancellationToken);
        _listedOn = client;
        return tools.Select(t => new McpUpstreamTool(t.Name, JsonSerializer.Serialize(t.ProtocolTool, McpJsonUtilities.DefaultOptions))).ToList();
    }

    /// <summary>A new or resumed client knows no tools yet; list them once so calls go with what the SDK knows of each.</summary>
    private async Task EnsureToolsKnownAsync(McpClient client, CancellationToken cancellationToken)
    {
        if (!ReferenceEquals(_listedOn, client))
        {
            var tools = await ListFromAsync(client, cancellationToken);
            _tools = tools;
            _toolsExpireAt = time.GetUtcNow() + toolsTtl;
        }
    }

    /// <summary>Forgets the session and the cached tools (after a re-registration or on the upstream's say-so).</summary>
    public async Task ResetAsync()
    {
        await _connecting.WaitAsync();
        try
        {
            await DropClientAsync();
            _session = null;
            _tools = null;
            await saveAsync(null);
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>
    /// Closes the client (a call still connecting finishes first, so no client outlives this). The upstream session
    /// stays open for the next activation to resume; the semaphore is left to the collector because a late caller
    /// may still release it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await _connecting.WaitAsync();
        try
        {
            await DropClientAsync();
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task<T> WithSessionAsync<T>(Func<McpClient, Task<T>> request, CancellationToken cancellationToken)
    {
        var client = await ClientAsync(cancellationToken);
        try
        {
            return await request(client);
        }
        catch (Exception ex) when (IsSessionGone(ex))
        {
            LogSessionExpired(_logger, _endpointName);
            client = await ReconnectAsync(client, cancellationToken);
            return await request(client);
        }
    }

    private async Task<McpClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { Completion.IsCompleted: false } ready)
        {
            return ready;
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_client is { Completion.IsCompleted: false } raced)
            {
                return raced;
            }

            await DropClientAsync();
            _client = await ConnectAsync(cancellationToken);
            return _client;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task<McpClient> ReconnectAsync(McpClient failed, CancellationToken cancellationToken)
    {
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (!ReferenceEquals(_client, failed) && _client is { Completion.IsCompleted: false } replaced)
            {
                return replaced;
            }

            await DropClientAsync();
            _session = null;
            _client = await ConnectAsync(cancellationToken);
            return _client;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task<McpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var options = new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "sse-virtualization-layer", Version = "1.0" },
            Handlers = new McpClientHandlers
            {
                NotificationHandlers =
                [
                    new(NotificationMethods.ToolListChangedNotification, (_, _) =>
                    {
                        _tools = null;
                        toolsChanged();
                        return ValueTask.CompletedTask;
                    }),
                ],
            },
        };
        if (_session is { } session)
        {
            try
            {
                var resumed = await McpClient.ResumeSessionAsync(
                    Transport(session.SessionId),
                    new ResumeClientSessionOptions
                    {
                        ServerCapabilities = JsonSerializer.Deserialize<ServerCapabilities>(session.CapabilitiesJson, McpJsonUtilities.DefaultOptions) ?? new(),
                        ServerInfo = new Implementation { Name = session.ServerName, Version = session.ServerVersion },
                        ServerInstructions = session.Instructions,
                        NegotiatedProtocolVersion = session.ProtocolVersion,
                    },
                    options,
                    loggers,
                    cancellationToken);
                LogResumed(_logger, _endpointName, session.SessionId);
                return resumed;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogResumeFailed(_logger, ex, _endpointName);
            }
        }

        var client = await McpClient.CreateAsync(Transport(knownSessionId: null), options, loggers, cancellationToken);
        _session = new UpstreamSession(
            client.SessionId ?? string.Empty,
            client.NegotiatedProtocolVersion ?? string.Empty,
            client.ServerInfo?.Name ?? string.Empty,
            client.ServerInfo?.Version ?? string.Empty,
            JsonSerializer.Serialize(client.ServerCapabilities, McpJsonUtilities.DefaultOptions),
            client.ServerInstructions);
        LogInitialized(_logger, _endpointName, _session.SessionId);
        if (_disposed)
        {
            // The registration changed while connecting: this session belongs to no one.
            await client.DisposeAsync();
            throw new ObjectDisposedException(nameof(McpUpstream));
        }

        await saveAsync(string.IsNullOrEmpty(_session.SessionId) ? null : _session);
        return client;
    }

    private HttpClientTransport Transport(string? knownSessionId) => new(
        new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = headers.ToDictionary(StringComparer.OrdinalIgnoreCase),
            KnownSessionId = knownSessionId,
            // The session outlives this client: a later activation resumes it (the id is in grain state).
            OwnsSession = false,
        },
        http,
        loggers,
        ownsHttpClient: false);

    private async Task DropClientAsync()
    {
        if (_client is { } client)
        {
            _client = null;
            try
            {
                await client.DisposeAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogDisposeFailed(_logger, ex, _endpointName);
            }
        }
    }

    private static bool IsSessionGone(Exception ex) => ex switch
    {
        HttpRequestException { StatusCode: HttpStatusCode.NotFound } => true,
        // A JSON-RPC error means the request ran, unless it is the transport's refusal of an unknown session
        // (-32000 "No valid session ID" from the TypeScript SDK's servers, which answer 400 rather than 404):
        // then it never ran, and repeating it on a new session is safe.
        McpProtocolException protocol => (int)protocol.ErrorCode == -32000
            && (protocol.Message.Contains("session id", StringComparison.OrdinalIgnoreCase) || protocol.Message.Contains("Session not found", StringComparison.OrdinalIgnoreCase)),
        McpException { InnerException: { } inner } => IsSessionGone(inner),
        McpException mcp => mcp.Message.Contains("404", StringComparison.Ordinal) || mcp.Message.Contains("Session not found", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static string ErrorJson(int code, string message) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["code"] = code, ["message"] = message });

    internal static string FailureResultJson(string message) => JsonSerializer.Serialize(
        new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = message }] },
        McpJsonUtilities.DefaultOptions);

    /// <summary>Turns the upstream's progress into notifications addressed to the downstream client's token.</summary>
    private sealed class ChannelProgress(ChannelWriter<McpUpstreamMessage> writer, string progressTokenJson) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("jsonrpc", "2.0");
                json.WriteString("method", NotificationMethods.ProgressNotification);
                json.WriteStartObject("params");
                json.WritePropertyName("progressToken");
                json.WriteRawValue(progressTokenJson);
                json.WriteNumber("progress", value.Progress);
                if (value.Total is { } total)
                {
                    json.WriteNumber("total", total);
                }

                if (value.Message is { } message)
                {
                    json.WriteString("message", message);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            writer.TryWrite(new McpUpstreamMessage(McpUpstreamMessageKind.Notification, System.Text.Encoding.UTF8.GetString(buffer.ToArray())));
        }
    }

    [LoggerMessage(EventId = 5200, Level = LogLevel.Information, Message = "Initialized an MCP session with {Endpoint}: {SessionId}")]
    private static partial void LogInitialized(ILogger logger, string endpoint, string sessionId);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Resumed the MCP session {SessionId} with {Endpoint}")]
    private static partial void LogResumed(ILogger logger, string endpoint, string sessionId);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Could not resume the stored MCP session with {Endpoint}; starting a new one")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception, string endpoint);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "The MCP server {Endpoint} no longer knows our session; starting a new one and repeating the request")]
    private static partial void LogSessionExpired(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Warning, Message = "Calling tool {Tool} of the MCP server {Endpoint} failed")]
    private static partial void LogCallFailed(ILogger logger, Exception exception, string endpoint, string tool);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Debug, Message = "Closing the client of the MCP server {Endpoint} failed")]
    private static partial void LogDisposeFailed(ILogger logger, Exception exception, string endpoint);
}
