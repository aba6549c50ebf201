using SseVirtualization.Clients;

namespace SseVirtualization.Streams;

/// <summary>An event on its way to the connections of <paramref name="ClientId"/> held by one silo.</summary>
/// <param name="ClientId">The client the event is for.</param>
/// <param name="Event">The event.</param>
/// <param name="TraceParent">W3C trace context of the publisher, so delivery joins the invocation's trace.</param>
[GenerateSerializer, Immutable, Alias("sse.SiloDelivery")]
public sealed record SiloDelivery(
    [property: Id(0)] string ClientId,
    [property: Id(1)] ClientEvent Event,
    [property: Id(2)] string? TraceParent = null);
