using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Clients;

/// <summary>An async invocation answered 202 whose result has not reached the client's log yet.</summary>
/// <param name="Function">The function called.</param>
/// <param name="Request">The invocation as accepted.</param>
/// <param name="AcceptedAt">When the ledger accepted it.</param>
/// <param name="Attempts">How many times it was started.</param>
/// <param name="RunningOn">
/// The silo that runs it itself (<see cref="Functions.Calls.LocalFunctionCalls"/>), which the re-drive asks; null when the
/// function's grain runs it.
/// </param>
[GenerateSerializer, Immutable, Alias("sse.PendingInvocation")]
internal sealed record PendingInvocation(
    [property: Id(0)] string Function,
    [property: Id(1)] InvocationRequest Request,
    [property: Id(2)] DateTimeOffset AcceptedAt,
    [property: Id(3)] int Attempts,
    [property: Id(4)] string? RunningOn = null);
