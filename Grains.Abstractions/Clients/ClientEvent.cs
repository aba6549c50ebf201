namespace SseVirtualization.Clients;

/// <summary>An event addressed to one SSE client, numbered by its client grain.</summary>
/// <param name="Id">Increases by one per client; the SSE <c>id:</c> line, so a client can resume after it.</param>
/// <param name="Type">The SSE <c>event:</c> name, e.g. <c>function_response</c>.</param>
/// <param name="DataJson">The compact JSON sent as the <c>data:</c> line.</param>
/// <param name="CreatedAt">When the client grain accepted the event.</param>
/// <param name="RequestId">For a <c>function_response</c>, the invocation's request id (one event per request id).</param>
[GenerateSerializer, Immutable, Alias("sse.ClientEvent")]
public sealed record ClientEvent(
    [property: Id(0)] long Id,
    [property: Id(1)] string Type,
    [property: Id(2)] string DataJson,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] string? RequestId = null);
