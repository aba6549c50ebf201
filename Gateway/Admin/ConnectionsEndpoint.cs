using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using SseVirtualization.Gateway.Connections;

namespace SseVirtualization.Gateway.Admin;

/// <summary><c>GET /admin/connections</c>: every connection in the cluster, with counts per silo.</summary>
internal static class ConnectionsEndpoint
{
    public static void MapConnectionsAdmin(this IEndpointRouteBuilder admin) =>
        admin.MapGet("/connections", ListAsync)
            .WithTags("Cluster").WithName("ListConnections").WithSummary("Every connection in the cluster, with counts per silo.");

    private static async Task<Ok<ConnectionListView>> ListAsync(ClusterView cluster, TimeProvider time)
    {
        var perSilo = await cluster.AskActiveSilosAsync(grain => grain.ListAsync());
        var connections = perSilo.SelectMany(s => s.Answer ?? []).ToList();
        var stats = new ConnectionStatsView(
            connections.Count,
            connections.Select(c => c.ClientId).Distinct(StringComparer.Ordinal).Count(),
            perSilo.ToDictionary(s => s.SiloId, s => s.Answer?.Count, StringComparer.Ordinal));
        return TypedResults.Ok(new ConnectionListView(connections, stats, time.GetUtcNow()));
    }
}
