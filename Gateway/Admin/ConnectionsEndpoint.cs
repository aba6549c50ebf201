using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SseVirtualization.Gateway.Connections;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Admin;

/// <summary><c>GET /admin/connections</c>: every connection in the cluster, with counts per silo.</summary>
internal static class ConnectionsEndpoint
{
    public static void MapConnectionsAdmin(this IEndpointRouteBuilder admin) =>
        admin.MapGet("/connections", ListAsync).Produces(StatusCodes.Status200OK, contentType: "application/json")
            .WithTags("Cluster").WithName("ListConnections").WithSummary("Every connection in the cluster, with counts per silo.");

    private static async Task<IResult> ListAsync(ClusterView cluster, TimeProvider time)
    {
        var perSilo = await cluster.AskActiveSilosAsync(grain => grain.ListAsync());
        return JsonResults.Write(StatusCodes.Status200OK, writer =>
        {
            var total = 0;
            var clients = new HashSet<string>(StringComparer.Ordinal);
            writer.WriteStartObject();
            writer.WriteStartArray("connections");
            foreach (var (_, connections) in perSilo)
            {
                foreach (var c in connections ?? [])
                {
                    total++;
                    clients.Add(c.ClientId);
                    writer.WriteStartObject();
                    writer.WriteString("id", c.Id);
                    writer.WriteString("client_id", c.ClientId);
                    writer.WriteString("user_id", c.UserId);
                    writer.WriteString("silo", c.Silo);
                    writer.WriteStartObject("metadata");
                    foreach (var (key, value) in c.Metadata)
                    {
                        writer.WriteString(key, value);
                    }

                    writer.WriteEndObject();
                    writer.WriteString("created_at", c.CreatedAt);
                    writer.WriteString("last_ping", c.LastPing);
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
            writer.WriteStartObject("stats");
            writer.WriteNumber("total_connections", total);
            writer.WriteNumber("unique_clients", clients.Count);
            writer.WriteStartObject("connections_per_silo");
            foreach (var (siloId, connections) in perSilo)
            {
                if (connections is null)
                {
                    writer.WriteNull(siloId); // the silo did not answer
                }
                else
                {
                    writer.WriteNumber(siloId, connections.Count);
                }
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteString("timestamp", time.GetUtcNow());
            writer.WriteEndObject();
        });
    }
}
