using SseVirtualization.Gateway.Connections;

namespace SseVirtualization.Gateway.Admin;

/// <summary>The answer of <c>GET /admin/connections</c>: every stream in the cluster, and counts.</summary>
internal sealed record ConnectionListView(IReadOnlyList<ConnectionInfo> Connections, ConnectionStatsView Stats, DateTimeOffset Timestamp);

/// <summary>Counts over the connections listed.</summary>
/// <param name="TotalConnections">Streams listed.</param>
/// <param name="UniqueClients">Distinct client ids among them.</param>
/// <param name="ConnectionsPerSilo">Streams per active silo; <c>null</c> for a silo that did not answer in time.</param>
internal sealed record ConnectionStatsView(int TotalConnections, int UniqueClients, IReadOnlyDictionary<string, int?> ConnectionsPerSilo);
