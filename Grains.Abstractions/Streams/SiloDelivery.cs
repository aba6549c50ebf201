using SseVirtualization.Clients;

namespace SseVirtualization.Streams;

/// <summary>An event on its way to the connections of <paramref name="ClientId"/> held by one silo.</summary>
[GenerateSerializer, Immutable, Alias("sse.SiloDelivery")]
public sealed record SiloDelivery(
    [property: Id(0)] string ClientId,
    [property: Id(1)] ClientEvent Event);
