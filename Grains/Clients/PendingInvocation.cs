using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Clients;

/// <summary>An async invocation answered 202 whose result has not reached the client's log yet.</summary>
[GenerateSerializer, Immutable, Alias("sse.PendingInvocation")]
internal sealed record PendingInvocation(
    [property: Id(0)] string Function,
    [property: Id(1)] InvocationRequest Request,
    [property: Id(2)] DateTimeOffset AcceptedAt,
    [property: Id(3)] int Attempts);
