using System.Collections.ObjectModel;
using System.Globalization;
using System.Net.ServerSentEvents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseVirtualization.Clients;
using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Gateway.Http;
using SseVirtualization.Gateway.Security;

namespace SseVirtualization.Gateway.Connections;

/// <summary><c>GET /sse/{clientId}</c>: the long-lived stream of one client's events.</summary>
/// <remarks>
/// The handler holds the silo's services itself and writes the stream in the same call, returning no result. A handler
/// that returns a result adds the result, its closures and the request delegate factory's own state machine, all kept
/// for as long as the stream lasts (~0.5 KB of each stream).
/// </remarks>
internal sealed partial class SseEndpoint(
    IGrainFactory grains,
    LocalConnections connections,
    SiloIdentity silo,
    IOptions<GatewayOptions> options,
    GatewayCounters counters,
    Draining draining,
    TimeProvider time,
    CallerAccess access,
    QueueByteBudget queueBytes,
    ILogger<SseConnection> logger)
{
    private const string LastEventIdQuery = "lastEventId";

    public static void Map(IEndpointRouteBuilder routes)
    {
        var endpoint = ActivatorUtilities.CreateInstance<SseEndpoint>(routes.ServiceProvider);
        routes.MapGet("/sse/{clientId}", endpoint.ConnectAsync).RequireRateLimiting(Security.AbuseLimits.ConnectPolicy)
            .EventStream(description: "The client's events: connected, then its messages, invocation results and heartbeats.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithTags("Streams").WithName("OpenClientStream").WithSummary("Open a client's event stream (an EventSource).");
    }

    private async Task ConnectAsync(string clientId, HttpContext context)
    {
        if (Refuse(clientId, context, out var tokenExpiresAt) is { } refused)
        {
            await refused.ExecuteAsync(context);
            return;
        }

        var settings = options.Value;
        var connection = new SseConnection(
            clientId,
            context.Request.Headers["X-User-ID"].FirstOrDefault(),
            ReadMetadata(context.Request),
            settings.ConnectionQueueCapacity,
            time.GetUtcNow(),
            context.Abort,
            counters,
            connections.Remover,
            queueBytes)
        {
            Caller = Security.AbuseLimits.CallerKey(context),
        };

        // Registered before the grain hears of it, so live events published meanwhile are queued, not missed.
        if (TooMany(connections.TryAdd(connection, settings.MaxConnectionsPerClient, settings.MaxConnectionsPerCaller), clientId, context) is { } tooMany)
        {
            await tooMany.ExecuteAsync(context);
            return;
        }

        var grain = grains.ReferenceTo<IClientGrain>(clientId);
        var registration = new ClientRegistration(grain, silo.Id, connection.Id);
        var lastEventId = ReadLastEventId(context.Request);
        EventBatch backlog;
        try
        {
            backlog = await registration.OpenAsync(lastEventId);
        }
        catch
        {
            connection.End(); // and so it is no longer a local connection

            // The grain may have recorded the connection before the call failed; take it back, best effort. By its id:
            // arriving after the client's next connection opened, it cannot take that one away.
            _ = ForgetConnectionAsync(registration, clientId, -1);
            throw;
        }

        LogConnected(logger, clientId, connection.Id, backlog.Events.Count);
        connection.SetOpening(
            new SseItem<string>(SseFrames.Connected(connection, silo.Id), ClientEventTypes.Connected)
            {
                EventId = ResumePosition.Of(lastEventId, backlog).ToString(CultureInfo.InvariantCulture),
                ReconnectionInterval = settings.ReconnectDelay,
            },
            backlog);

        var expiry = WatchExpiry(connection, tokenExpiresAt);
        try
        {
            await connection.WriteAllAsync(EventStreamResult.Begin(context), grain.GetEventsAfterAsync, context.RequestAborted);
        }
        finally
        {
            expiry?.Dispose();
            connection.End(); // usually already ended by its writer, which also stopped counting it as a local connection
            LogDisconnected(logger, clientId, connection.Id);

            // Recorded in the grain without holding up the end of the response; failures are logged, not thrown.
            _ = ForgetConnectionAsync(registration, clientId, connection.LastWrittenId);
        }
    }

    /// <summary>Why the stream cannot open, checked before anything is counted; null when it can.</summary>
    private IResult? Refuse(string clientId, HttpContext context, out DateTimeOffset? tokenExpiresAt)
    {
        tokenExpiresAt = null;
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

        return access.ForStream(context, clientId, out tokenExpiresAt);
    }

    private ProblemHttpResult? TooMany(LocalConnections.Refusal refusal, string clientId, HttpContext context)
    {
        var settings = options.Value;
        var (title, detail) = refusal switch
        {
            LocalConnections.Refusal.TooManyForClient => ("Too many streams for this client",
                $"Client '{clientId}' already has {settings.MaxConnectionsPerClient} open streams on this silo (Gateway:MaxConnectionsPerClient)."),
            LocalConnections.Refusal.TooManyForCaller => ("Too many streams for this caller",
                $"This caller already holds {settings.MaxConnectionsPerCaller} open streams on this silo (Gateway:MaxConnectionsPerCaller)."),
            _ => (null, null),
        };
        if (title is null)
        {
            return null;
        }

        context.Response.Headers.RetryAfter = "5";
        return TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status429TooManyRequests, title: title);
    }

    /// <summary>A stream opened with a token ends when the token does, saying so first.</summary>
    private ITimer? WatchExpiry(SseConnection connection, DateTimeOffset? tokenExpiresAt)
    {
        // Timers cannot wait past ~49 days; a token that lives longer is simply not watched.
        if (tokenExpiresAt is not { } expiresAt || expiresAt - time.GetUtcNow() >= TimeSpan.FromDays(30))
        {
            return null;
        }

        return time.CreateTimer(
            _ => connection.Close(new OutgoingEvent(0, ClientEventTypes.TokenExpired, SseFrames.TokenExpired(expiresAt))),
            null,
            Max(expiresAt - time.GetUtcNow(), TimeSpan.Zero),
            Timeout.InfiniteTimeSpan);
    }

    private async Task ForgetConnectionAsync(ClientRegistration registration, string clientId, long lastWrittenId)
    {
        try
        {
            await registration.CloseAsync(lastWrittenId);
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
        if (string.IsNullOrEmpty(text) && request.QueryString.HasValue)
        {
            text = request.Query[LastEventIdQuery].FirstOrDefault();
        }

        // Ids are ours and numeric; anything else (an id from another server) counts as no id.
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    private static IReadOnlyDictionary<string, string> ReadMetadata(HttpRequest request)
    {
        // Request.Query would make (and the request keep) a query feature even for a URL without a query.
        if (!request.QueryString.HasValue)
        {
            return ReadOnlyDictionary<string, string>.Empty;
        }

        Dictionary<string, string>? metadata = null;
        foreach (var (key, values) in request.Query)
        {
            // The token is a credential, not metadata: it must not reach events, the admin API or the console.
            if (key != LastEventIdQuery && key != SecurityHostingExtensions.AccessTokenQuery && values.Count > 0)
            {
                metadata ??= new Dictionary<string, string>(StringComparer.Ordinal);
                metadata[key] = values[0] ?? string.Empty;
            }
        }

        return metadata ?? (IReadOnlyDictionary<string, string>)ReadOnlyDictionary<string, string>.Empty;
    }
}
