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
    /// <summary>The connection for the registration as it stands now; a changed registration gets a new upstream session.</summary>
    private async Task<Connected> ConnectAsync()
    {
        var registration = await GrainFactory.ReferenceTo<IMcpServerRegistrationGrain>(Registration).GetMcpServerAsync()
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
        _inputByRetry = (await SessionAsync()).Transport == McpSessionInfo.Stateless;
        Connected connected;
        if (state.State is { Initialized: true } stored && stored.Revision == registration.Revision)
        {
            connection.SessionId = stored.SessionId;
            connection.ProtocolVersion = stored.ProtocolVersion;
            connection.Modern = stored.Modern;
            var session = stored.Modern ? await SessionAsync() : null;
            var envelope = session is null ? null : Envelope(session, RoutedCapabilitiesOf(session));
            connected = new Connected(connection, registration, JsonNode.Parse(stored.CapabilitiesJson ?? "{}") as JsonObject ?? [], envelope);
        }
        else
        {
            connected = await InitializeAsync(connection, registration);
        }

        _connected = connected;
        if (!connection.Modern)
        {
            StartListening(connected); // a 2026-07-28 server has no standalone stream
        }

        return connected;
    }

    /// <summary>The handshake, as the downstream client would make it: its protocol version, capabilities and name.</summary>
    private async Task<Connected> InitializeAsync(UpstreamConnection connection, McpServerRegistration registration)
    {
        var session = await SessionAsync();
        var capabilities = RoutedCapabilitiesOf(session);
        var envelope = Envelope(session, capabilities);
        if (await DiscoverAsync(connection, registration, envelope) is { } modernCapabilities)
        {
            await RememberAsync(connection, registration, modernCapabilities, modern: true);
            return new Connected(connection, registration, modernCapabilities, envelope);
        }

        var initialize = new JsonRpcRequest
        {
            Id = NextId(),
            Method = RequestMethods.Initialize,
            Params = new JsonObject
            {
                ["protocolVersion"] = session.ProtocolVersion,
                ["capabilities"] = capabilities,
                ["clientInfo"] = ClientInfo(session),
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
        var connected = new Connected(connection, registration, serverCapabilities, Envelope: null);
        if (session.LogLevel is { } level && serverCapabilities["logging"] is not null)
        {
            await connection.RequestAsync(
                new JsonRpcRequest { Id = NextId(), Method = SetLevel, Params = new JsonObject { ["level"] = level } },
                _ => Task.CompletedTask,
                deadline.Token);
        }

        await RememberAsync(connection, registration, serverCapabilities, modern: false);
        return connected;
    }

    /// <summary>Keeps the upstream session for later activations, and tells the session it has one with this server.</summary>
    private async Task RememberAsync(UpstreamConnection connection, McpServerRegistration registration, JsonObject serverCapabilities, bool modern)
    {
        state.State = new McpUpstreamState
        {
            SessionId = connection.SessionId,
            ProtocolVersion = connection.ProtocolVersion,
            CapabilitiesJson = serverCapabilities.ToJsonString(),
            Revision = registration.Revision,
            Initialized = true,
            Modern = modern,
        };
        await WriteStateAsync(clear: false);
        await GrainFactory.ReferenceTo<IMcpSessionGrain>(SessionId).AddUpstreamAsync(Registration);
        LogInitialized(logger, Registration, connection.SessionId ?? "(none)", connection.ProtocolVersion ?? "?");
    }

    private async Task<McpSessionInfo> SessionAsync() =>
        await GrainFactory.ReferenceTo<IMcpSessionGrain>(SessionId).GetAsync() ?? throw new McpException("The MCP session has ended.");

    /// <summary>The client's capabilities the layer can route (<see cref="McpRoutedCapabilities"/>).</summary>
    private static JsonObject RoutedCapabilitiesOf(McpSessionInfo session) =>
        JsonNode.Parse(McpRoutedCapabilities.Of(session.ClientCapabilitiesJson))!.AsObject();

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
        _toolsGeneration++;
        foreach (var asked in _serverRequests.Values)
        {
            asked.Within?.ClientAnswered(); // their answers have no session to go to
            asked.Local?.TrySetCanceled();
        }

        _serverRequests.Clear();
        state.State = new McpUpstreamState();
        await WriteStateAsync(clear: false);
    }

    /// <summary>The stored upstream session, to end it without a handshake (null when there is none or the server is gone).</summary>
    private async Task<UpstreamConnection?> StoredConnectionAsync()
    {
        if (!state.State.Initialized || await GrainFactory.ReferenceTo<IMcpServerRegistrationGrain>(Registration).GetMcpServerAsync() is not { } registration)
        {
            return null;
        }

        var headers = registration.ProtectedHeaders is { } protectedHeaders ? secrets.Unprotect(protectedHeaders) : [];
        return new UpstreamConnection(httpClients.CreateClient(FunctionInvoker.HttpClientName), registration.Endpoint, headers)
        {
            SessionId = state.State.SessionId,
            ProtocolVersion = state.State.ProtocolVersion,
        };
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
                await ForgetSessionAsync(connected); // the next request starts a new one, and listens again
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

    /// <summary>An open upstream session: its connection, the registration it belongs to, the server's capabilities, and for a 2026-07-28 server the envelope its requests carry.</summary>
    private sealed record Connected(UpstreamConnection Connection, McpServerRegistration Registration, JsonObject Capabilities, JsonObject? Envelope);
}
