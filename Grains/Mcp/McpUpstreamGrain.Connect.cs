using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using SseVirtualization.Grains.Functions;
using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Mcp;

/// <summary>The upstream session: opened with the downstream client's own capabilities, resumed from state, listened to.</summary>
internal sealed partial class McpUpstreamGrain
{
    /// <summary>Capabilities the layer cannot route yet: requests they would bring have no way back (tasks come with 2026-07-28).</summary>
    private static readonly string[] UnroutedCapabilities = ["tasks", "experimental"];

    /// <summary>The connection for the registration as it stands now; a changed registration gets a new upstream session.</summary>
    private async Task<Connected> ConnectAsync()
    {
        var registration = await GrainFactory.GetGrain<IMcpServerRegistrationGrain>(Registration).GetMcpServerAsync()
            ?? throw new UnknownRegistrationException();
        if (_connected is { } current)
        {
            if (current.Registration.Revision == registration.Revision)
            {
                return current;
            }

            await ForgetSessionAsync(current);
        }

        var connecting = _connecting ??= OpenAsync(registration);
        try
        {
            return await connecting;
        }
        finally
        {
            if (ReferenceEquals(_connecting, connecting))
            {
                _connecting = null;
            }
        }
    }

    private async Task<Connected> OpenAsync(McpServerRegistration registration)
    {
        var headers = registration.ProtectedHeaders is { } protectedHeaders ? secrets.Unprotect(protectedHeaders) : [];
        var connection = new UpstreamConnection(httpClients.CreateClient(FunctionInvoker.HttpClientName), registration.Endpoint, headers);
        Connected connected;
        if (state.State is { Initialized: true } stored && stored.Revision == registration.Revision)
        {
            connection.SessionId = stored.SessionId;
            connection.ProtocolVersion = stored.ProtocolVersion;
            connected = new Connected(connection, registration, JsonNode.Parse(stored.CapabilitiesJson ?? "{}") as JsonObject ?? []);
        }
        else
        {
            connected = await InitializeAsync(connection, registration);
        }

        _connected = connected;
        StartListening(connected);
        return connected;
    }

    /// <summary>The handshake, as the downstream client would make it: its protocol version, capabilities and name.</summary>
    private async Task<Connected> InitializeAsync(UpstreamConnection connection, McpServerRegistration registration)
    {
        var session = await GrainFactory.GetGrain<IMcpSessionGrain>(SessionId).GetAsync()
            ?? throw new McpException("The MCP session has ended.");
        var capabilities = JsonNode.Parse(session.ClientCapabilitiesJson) as JsonObject ?? [];
        foreach (var unrouted in UnroutedCapabilities)
        {
            capabilities.Remove(unrouted);
        }

        var initialize = new JsonRpcRequest
        {
            Id = NextId(),
            Method = RequestMethods.Initialize,
            Params = new JsonObject
            {
                ["protocolVersion"] = session.ProtocolVersion,
                ["capabilities"] = capabilities,
                ["clientInfo"] = new JsonObject
                {
                    ["name"] = session.ClientName.Length > 0 ? session.ClientName : "sse-virtualization-layer",
                    ["version"] = session.ClientVersion.Length > 0 ? session.ClientVersion : "1.0.0",
                },
            },
        };
        using var deadline = new CancellationTokenSource(registration.Timeout);
        JsonRpcMessage? answer = null;
        await connection.RequestAsync(initialize, message =>
        {
            if (message is JsonRpcMessageWithId { } reply && reply.Id.Equals(initialize.Id))
            {
                answer = message;
            }

            return Task.CompletedTask;
        }, deadline.Token);
        if (answer is not JsonRpcResponse { Result: JsonObject result })
        {
            throw new McpException($"The MCP server refused the handshake: {(answer as JsonRpcError)?.Error.Message ?? "no result"}.");
        }

        connection.ProtocolVersion = result["protocolVersion"] is JsonValue version && version.TryGetValue<string>(out var negotiated) ? negotiated : session.ProtocolVersion;
        var serverCapabilities = result["capabilities"] as JsonObject ?? [];
        await connection.SendAsync(new JsonRpcNotification { Method = NotificationMethods.InitializedNotification }, deadline.Token);
        var connected = new Connected(connection, registration, serverCapabilities);
        if (session.LogLevel is { } level && serverCapabilities["logging"] is not null)
        {
            await connection.RequestAsync(
                new JsonRpcRequest { Id = NextId(), Method = SetLevel, Params = new JsonObject { ["level"] = level } },
                _ => Task.CompletedTask,
                deadline.Token);
        }

        state.State = new McpUpstreamState
        {
            SessionId = connection.SessionId,
            ProtocolVersion = connection.ProtocolVersion,
            CapabilitiesJson = serverCapabilities.ToJsonString(),
            Revision = registration.Revision,
            Initialized = true,
        };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IMcpSessionGrain>(SessionId).AddUpstreamAsync(Registration);
        LogInitialized(logger, Registration, connection.SessionId ?? "(none)", connection.ProtocolVersion ?? "?");
        return connected;
    }

    /// <summary>Drops an upstream session the server no longer knows, or that belongs to an older registration.</summary>
    private async Task ForgetSessionAsync(Connected stale)
    {
        if (!ReferenceEquals(_connected, stale))
        {
            return; // another request already replaced it
        }

        StopListening();
        _connected = null;
        _tools = null;
        _serverRequests.Clear();
        state.State = new McpUpstreamState();
        await state.WriteStateAsync();
    }

    /// <summary>Reads the upstream's standalone stream while this activation lives: what the server says unasked.</summary>
    private void StartListening(Connected connected)
    {
        StopListening();
        var listening = new CancellationTokenSource();
        _listening = listening;
        _ = ListenAsync();

        async Task ListenAsync()
        {
            try
            {
                await connected.Connection.ListenAsync(message => OnMessageAsync(connected, message, carrier: null), listening.Token);
            }
            catch (OperationCanceledException) when (listening.IsCancellationRequested)
            {
                // stopped
            }
            catch (UpstreamSessionGoneException)
            {
                await ForgetSessionAsync(connected); // the next request starts a new one
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogListenFailed(logger, ex, Registration);
            }
        }
    }

    private void StopListening()
    {
        if (_listening is { } listening)
        {
            _listening = null;
            listening.Cancel();
            listening.Dispose();
        }
    }

    /// <summary>An open upstream session: its connection, the registration it belongs to, the server's capabilities.</summary>
    private sealed record Connected(UpstreamConnection Connection, McpServerRegistration Registration, JsonObject Capabilities);

    [LoggerMessage(EventId = 5200, Level = LogLevel.Information, Message = "Opened an MCP session with {Registration}: {UpstreamSessionId}, protocol {ProtocolVersion}")]
    private static partial void LogInitialized(ILogger logger, string registration, string upstreamSessionId, string protocolVersion);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "The MCP server {Registration} no longer knows our session; starting a new one and repeating the request")]
    private static partial void LogSessionGone(ILogger logger, string registration);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Warning, Message = "Forwarding {Method} to the MCP server {Registration} failed")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception, string method, string registration);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Debug, Message = "Ending the session with the MCP server {Registration} failed")]
    private static partial void LogEndFailed(ILogger logger, Exception exception, string registration);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Warning, Message = "The standalone stream of the MCP server {Registration} failed; unasked messages stop until the next request")]
    private static partial void LogListenFailed(ILogger logger, Exception exception, string registration);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Warning, Message = "A message of the MCP server {Registration} could not be delivered to its session")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string registration);

    [LoggerMessage(EventId = 5208, Level = LogLevel.Debug, Message = "Sending a message to the MCP server {Registration} failed")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string registration);
}
