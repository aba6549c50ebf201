using System.Text.Json.Serialization;

namespace SseVirtualization.Gateway.Admin;

/// <summary>The answer of <c>GET /admin/health</c>: the Go project's fields, this silo's counters and the cluster's members.</summary>
/// <param name="Status"><c>healthy</c>, or <c>degraded</c> when Redis is down or a silo did not answer.</param>
/// <param name="ActiveConnections">Streams held across the cluster, as the silos that answered count them.</param>
/// <param name="RegisteredFunctions">Functions and MCP servers registered.</param>
/// <param name="RedisConnected">Whether Redis answered a ping just now (false in the embedded mode).</param>
/// <param name="Storage"><c>redis</c> or <c>memory</c>.</param>
/// <param name="Uptime">This silo's uptime as a Go duration (<c>1h2m3s</c>).</param>
/// <param name="UptimeSeconds">The same, in whole seconds.</param>
/// <param name="Metrics">The answering silo's counters.</param>
/// <param name="Cluster">The members that are not dead.</param>
internal sealed record ClusterHealthView(
    string Status,
    int ActiveConnections,
    int RegisteredFunctions,
    bool RedisConnected,
    string Storage,
    string Uptime,
    double UptimeSeconds,
    SiloMetricsView Metrics,
    IReadOnlyList<ClusterMemberView> Cluster);

/// <summary>The answering silo's own counters since it started.</summary>
internal sealed record SiloMetricsView(
    string Silo,
    int LocalConnections,
    long ConnectionsOpened,
    long ConnectionsClosed,
    long EventsQueued,
    long EventsDropped,
    long QueuedBytes,
    long EventsReplayed,
    long HeartbeatsSent,
    long Invocations);

/// <summary>A member of the cluster that is not dead.</summary>
/// <param name="Silo">Its address, as Orleans writes it.</param>
/// <param name="Status">Orleans' membership status, in lower case (<c>active</c>, <c>joining</c>, <c>shuttingdown</c>…).</param>
/// <param name="Self">Whether this is the silo that answered.</param>
/// <param name="Connections">The streams it holds; left out when it did not answer in time.</param>
internal sealed record ClusterMemberView(
    string Silo,
    string Status,
    bool Self,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Connections);
