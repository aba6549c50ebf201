using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Connections;
using SseVirtualization.Gateway.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Admin;

/// <summary>
/// <c>GET /admin/health</c>: the Go project's fields plus the cluster's silos. Every value is measured when
/// asked: connections by asking each silo, Redis by pinging it.
/// </summary>
internal static class HealthEndpoint
{
    public static void MapHealthAdmin(this IEndpointRouteBuilder admin) => admin.MapGet("/health", GetAsync).Produces(StatusCodes.Status200OK, contentType: "application/json")
        .WithTags("Cluster").WithName("GetClusterHealth").WithSummary("The cluster's silos, storage and connections.");

    private static async Task<IResult> GetAsync(
        ClusterView cluster,
        IGrainFactory grains,
        IClusterStorageProbe storage,
        GatewayCounters counters,
        LocalConnections local,
        QueueByteBudget queueBytes,
        SiloIdentity silo,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var silosTask = cluster.GetSilosAsync();
        var functionsTask = grains.GetGrain<IFunctionRegistryGrain>(0).ListAsync();
        var redisTask = storage.PingAsync(cancellationToken);
        var countsTask = cluster.AskActiveSilosAsync(async grain => (int?)await grain.GetCountAsync(), await silosTask);
        await Task.WhenAll(countsTask, functionsTask, redisTask);

        var counts = countsTask.Result;
        var unanswered = counts.Count(c => c.Answer is null);
        var redisDown = storage.Kind == "redis" && !redisTask.Result;
        TimeSpan uptime;
        using (var process = Process.GetCurrentProcess())
        {
            uptime = time.GetUtcNow() - process.StartTime.ToUniversalTime();
        }

        return JsonResults.Write(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status", redisDown || unanswered > 0 ? "degraded" : "healthy");
            writer.WriteNumber("active_connections", counts.Sum(c => c.Answer ?? 0));
            writer.WriteNumber("registered_functions", functionsTask.Result.Count);
            writer.WriteBoolean("redis_connected", redisTask.Result);
            writer.WriteString("storage", storage.Kind);
            writer.WriteString("uptime", GoDuration.Format(TimeSpan.FromSeconds(Math.Floor(uptime.TotalSeconds))));
            writer.WriteNumber("uptime_seconds", Math.Floor(uptime.TotalSeconds));
            writer.WriteStartObject("metrics");
            writer.WriteString("silo", silo.Id);
            writer.WriteNumber("local_connections", local.Count);
            writer.WriteNumber("connections_opened", counters.ConnectionsOpened);
            writer.WriteNumber("connections_closed", counters.ConnectionsClosed);
            writer.WriteNumber("events_queued", counters.EventsQueued);
            writer.WriteNumber("events_dropped", counters.EventsDropped);
            writer.WriteNumber("queued_bytes", queueBytes.Used);
            writer.WriteNumber("events_replayed", counters.EventsReplayed);
            writer.WriteNumber("heartbeats_sent", counters.HeartbeatsSent);
            writer.WriteNumber("invocations", counters.Invocations);
            writer.WriteEndObject();
            writer.WriteStartArray("cluster");
            foreach (var (address, status) in silosTask.Result)
            {
                var id = address.ToParsableString();
                writer.WriteStartObject();
                writer.WriteString("silo", id);
                writer.WriteString("status", status.ToString().ToLowerInvariant());
                writer.WriteBoolean("self", id == silo.Id);
                var answer = counts.FirstOrDefault(c => c.SiloId == id);
                if (answer.Answer is { } connections)
                {
                    writer.WriteNumber("connections", connections);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }
}
