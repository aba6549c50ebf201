using System.Globalization;
using System.Net.ServerSentEvents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseVirtualization.Clients;
using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Gateway.Http;
using SseVirtualization.Gateway.Security;

namespace SseVirtualization.Gateway.Connections;

/// <summary><c>GET /sse/{clientId}</c>: the long-lived stream of one client's events.</summary>
internal static partial class SseEndpoint
{
    private const string LastEventIdQuery = "lastEventId";

    public static void MapSse(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/sse/{clientId}", ConnectAsync).RequireRateLimiting(Security.AbuseLimits.ConnectPolicy);

    private static async Task<IResult> ConnectAsync(
        string clientId,
        HttpContext context,
        IGrainFactory grains,
        LocalConnections connections,
        SiloIdentity silo,
        IOptions<GatewayOptions> options,
        GatewayCounters counters,
        Draining draining,
        TimeProvider time,
        CallerAccess access,
        ILogger<SseConnection> logger)
    {
        if (draining.IsDraining)
        {
            context.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(
                detail: "This silo is shutting down; connect to another one.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Silo draining");
        }

        if (!Names.IsValidClientId(clientId))
        {
            return Problems.Invalid("clientId", $"The client id must match {Names.ClientIdRule}.");
        }

        if (access.ForStream(context, clientId, out var tokenExpiresAt) is { } refused)
        {
            return refused;
        }

        var settings = options.Value;
        var connection = new SseConnection(
            clientId,
            context.Request.Headers["X-User-ID"].FirstOrDefault(),
            ReadMetadata(context.Request.Query),
            settings.ConnectionQueueCapacity,
            time.GetUtcNow(),
            context.Abort,
            counters,
            connections.Remover)
        {
            Caller = Security.AbuseLimits.CallerKey(context),
        };

        // Registered before the grain hears of it, so live events published meanwhile are queued, not missed.
        switch (connections.TryAdd(connection, settings.MaxConnectionsPerClient, settings.MaxConnectionsPerCaller))
        {
            case LocalConnections.Refusal.TooManyForClient:
                context.Response.Headers.RetryAfter = "5";
                return TypedResults.Problem(
                    detail: $"Client '{clientId}' already has {settings.MaxConnectionsPerClient} open streams on this silo (Gateway:MaxConnectionsPerClient).",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many streams for this client");
            case LocalConnections.Refusal.TooManyForCaller:
                context.Response.Headers.RetryAfter = "5";
                return TypedResults.Problem(
                    detail: $"This caller already holds {settings.MaxConnectionsPerCaller} open streams on this silo (Gateway:MaxConnectionsPerCaller).",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many streams for this caller");
        }

        EventBatch backlog;
        try
        {
            backlog = await grains.GetGrain<IClientGrain>(clientId).ConnectAsync(silo.Id, ReadLastEventId(context.Request));
        }
        catch
        {
            connection.End(); // and so it is no longer a local connection

            // The grain may have counted the connection before the call failed; take it back, best effort.
            _ = ForgetConnectionAsync(grains, clientId, silo.Id, -1, logger);
            throw;
        }

        LogConnected(logger, clientId, connection.Id, backlog.Events.Count);
        var connected = new SseItem<string>(SseFrames.Connected(connection, silo.Id), ClientEventTypes.Connected)
        {
            ReconnectionInterval = settings.ReconnectDelay,
        };
        // A stream opened with a token ends when the token does, saying so first.
        // Timers cannot wait past ~49 days; a token that lives longer is simply not watched.
        var expiry = tokenExpiresAt is { } expiresAt && expiresAt - time.GetUtcNow() < TimeSpan.FromDays(30)
            ? time.CreateTimer(
                _ => connection.Close(new OutgoingEvent(0, ClientEventTypes.TokenExpired, SseFrames.TokenExpired(expiresAt))),
                null,
                Max(expiresAt - time.GetUtcNow(), TimeSpan.Zero),
                Timeout.InfiniteTimeSpan)
            : null;
        connection.SetOpening(connected, backlog);

        // Not a finally around the stream: the state machine that would hold it lives as long as the stream does.
        context.Response.RegisterForDisposeAsync(new StreamEnd(connection, grains, silo.Id, expiry, logger));
        var fetchAfter = grains.GetGrain<IClientGrain>(clientId).GetEventsAfterAsync;
        return new EventStreamResult((writer, cancellationToken) => connection.WriteAllAsync(writer, fetchAfter, cancellationToken));
    }

    /// <summary>What is undone when a stream's request has ended, however it ended.</summary>
    private sealed class StreamEnd(SseConnection connection, IGrainFactory grains, string siloId, IDisposable? expiry, ILogger logger)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            expiry?.Dispose();
            connection.End(); // usually already ended by its writer, which also stopped counting it as a local connection
            LogDisconnected(logger, connection.ClientId, connection.Id);
            await ForgetConnectionAsync(grains, connection.ClientId, siloId, connection.LastWrittenId, logger);
        }
    }

    private static async Task ForgetConnectionAsync(IGrainFactory grains, string clientId, string siloId, long lastWrittenId, ILogger logger)
    {
        try
        {
            await grains.GetGrain<IClientGrain>(clientId).DisconnectAsync(siloId, lastWrittenId);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogDisconnectNotRecorded(logger, ex, clientId);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static long? ReadLastEventId(HttpRequest request)
    {
        var text = request.Headers["Last-Event-ID"].FirstOrDefault();
        if (string.IsNullOrEmpty(text))
        {
            text = request.Query[LastEventIdQuery].FirstOrDefault();
        }

        // Ids are ours and numeric; anything else (an id from another server) counts as no id.
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    private static Dictionary<string, string> ReadMetadata(IQueryCollection query)
    {
        var metadata = new Dictionary<string, string>(query.Count, StringComparer.Ordinal);
        foreach (var (key, values) in query)
        {
            // The token is a credential, not metadata: it must not reach events, the admin API or the console.
            if (key != LastEventIdQuery && key != "access_token" && values.Count > 0)
            {
                metadata[key] = values[0] ?? string.Empty;
            }
        }

        return metadata;
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Debug, Message = "Client {ClientId} connected ({ConnectionId}), {Backlog} waiting events")]
    private static partial void LogConnected(ILogger logger, string clientId, string connectionId, int backlog);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Client {ClientId} disconnected ({ConnectionId})")]
    private static partial void LogDisconnected(ILogger logger, string clientId, string connectionId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Client {ClientId}: the disconnect could not be recorded in its grain")]
    private static partial void LogDisconnectNotRecorded(ILogger logger, Exception exception, string clientId);
}
