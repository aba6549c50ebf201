namespace SseVirtualization.Gateway.Connections;

/// <summary>One connection as <c>/admin/connections</c> shows it.</summary>
[GenerateSerializer, Immutable, Alias("sse.ConnectionInfo")]
public sealed record ConnectionInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string ClientId,
    [property: Id(2)] string? UserId,
    [property: Id(3)] string Silo,
    [property: Id(4)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset LastPing);
