namespace SseVirtualization.Functions;

/// <summary>One silo's share of a function's figures: the calls it ran itself (<see cref="ILocalFunctionCalls"/>).</summary>
/// <param name="Invocations">Invocations that ran here.</param>
/// <param name="Outcomes">Those invocations by outcome name.</param>
/// <param name="Retries">Retries made here.</param>
/// <param name="RecentLatenciesMs">Durations of the recent invocations here, so percentiles can be taken across silos.</param>
/// <param name="Endpoints">Each endpoint as this silo's router sees it (its breaker, the calls in flight to it).</param>
/// <param name="Since">When this silo began counting (its first call of the current registration).</param>
[GenerateSerializer, Immutable, Alias("sse.FunctionUsage")]
public sealed record FunctionUsage(
    [property: Id(0)] long Invocations,
    [property: Id(1)] IReadOnlyDictionary<string, long> Outcomes,
    [property: Id(2)] long Retries,
    [property: Id(3)] IReadOnlyList<double> RecentLatenciesMs,
    [property: Id(4)] IReadOnlyList<EndpointStatus> Endpoints,
    [property: Id(5)] DateTimeOffset Since);
