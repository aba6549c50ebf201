using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Connections;
using SseVirtualization.Gateway.Functions;

namespace SseVirtualization.Gateway.Admin;

/// <summary>
/// <c>GET /admin/health</c>: the Go project's fields plus the cluster's silos. Every value is measured when
/// asked: connections by asking each silo, Redis by pinging it.
/// </summary>
internal static class HealthEndpoint
{
    public static void MapHealthAdmin(this IEndpointRouteBuilder admin) => admin.MapGet("/health", GetAsync)
        .WithTags("Cluster").WithName("GetClusterHealth").WithSummary("The cluster's silos, storage and connections.");

    private static async Task<Ok<ClusterHealthView>> GetAsync(
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

        var members = silosTask.Result.Select(member =>
        {
            var id = member.Silo.ToParsableString();
            return new ClusterMemberView(id, member.Status.ToString().ToLowerInvariant(), id == silo.Id, counts.FirstOrDefault(c => c.SiloId == id).Answer);
        }).ToList();
        var seconds = Math.Floor(uptime.TotalSeconds);
        return TypedResults.Ok(new ClusterHealthView(
            redisDown || unanswered > 0 ? "degraded" : "healthy",
            counts.Sum(c => c.Answer ?? 0),
            functionsTask.Result.Count,
            redisTask.Result,
            storage.Kind,
            GoDuration.Format(TimeSpan.FromSeconds(seconds)),
            seconds,
            new SiloMetricsView(
                silo.Id,
                local.Count,
                counters.ConnectionsOpened,
                counters.ConnectionsClosed,
                counters.EventsQueued,
                counters.EventsDropped,
                queueBytes.Used,
                counters.EventsReplayed,
                counters.HeartbeatsSent,
                counters.Invocations),
            members));
    }
}
