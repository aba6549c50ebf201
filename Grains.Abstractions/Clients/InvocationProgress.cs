namespace SseVirtualization.Clients;

/// <summary>Where an async invocation of a client stands.</summary>
/// <param name="Pending">Accepted and not yet answered (in the client's ledger, re-driven if its silo dies).</param>
/// <param name="Result">Its <c>function_response</c> event once logged; null while pending, or when unknown or no longer kept.</param>
[GenerateSerializer, Immutable, Alias("sse.InvocationProgress")]
public sealed record InvocationProgress([property: Id(0)] bool Pending, [property: Id(1)] ClientEvent? Result);
