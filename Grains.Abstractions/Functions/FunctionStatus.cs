namespace SseVirtualization.Functions;

/// <summary>
/// What a function's active grain knows now: endpoint health and call statistics since it was activated on
/// <see cref="Silo"/> (a parsable silo address).
/// </summary>
[GenerateSerializer, Immutable, Alias("sse.FunctionStatus")]
public sealed record FunctionStatus(
    [property: Id(0)] IReadOnlyList<EndpointStatus> Endpoints,
    [property: Id(1)] FunctionStatistics Statistics,
    [property: Id(2)] DateTimeOffset Since,
    [property: Id(3)] int InFlight,
    [property: Id(4)] int Queued,
    [property: Id(5)] string Silo);

/// <summary>One endpoint as the router sees it.</summary>
/// <param name="Url">The endpoint.</param>
/// <param name="Health"><c>unknown</c> (not checked yet or checks off), <c>healthy</c> or <c>unhealthy</c>.</param>
/// <param name="Circuit">The circuit breaker's state: <c>closed</c>, <c>open</c>, <c>half_open</c> or <c>off</c>.</param>
/// <param name="LastCheck">When the last health check finished.</param>
/// <param name="ConsecutiveFailures">Failed health checks in a row.</param>
/// <param name="LastCheckLatencyMs">How long the last health check took.</param>
/// <param name="LastCheckError">Why the last health check failed, if it did.</param>
/// <param name="Outstanding">Calls in flight to this endpoint.</param>
[GenerateSerializer, Immutable, Alias("sse.EndpointStatus")]
public sealed record EndpointStatus(
    [property: Id(0)] Uri Url,
    [property: Id(1)] string Health,
    [property: Id(2)] string Circuit,
    [property: Id(3)] DateTimeOffset? LastCheck,
    [property: Id(4)] int ConsecutiveFailures,
    [property: Id(5)] double? LastCheckLatencyMs,
    [property: Id(6)] string? LastCheckError,
    [property: Id(7)] int Outstanding);

/// <summary>Counts and latency of a function's invocations.</summary>
/// <param name="Invocations">Invocations that ran (throttled ones included).</param>
/// <param name="Outcomes">Invocations by outcome name (<c>succeeded</c>, <c>function_error</c>, <c>timed_out</c>, ...).</param>
/// <param name="Retries">Retries made.</param>
/// <param name="LatencyP50Ms">Median duration of the recent invocations.</param>
/// <param name="LatencyP99Ms">99th percentile duration of the recent invocations.</param>
[GenerateSerializer, Immutable, Alias("sse.FunctionStatistics")]
public sealed record FunctionStatistics(
    [property: Id(0)] long Invocations,
    [property: Id(1)] IReadOnlyDictionary<string, long> Outcomes,
    [property: Id(2)] long Retries,
    [property: Id(3)] double? LatencyP50Ms,
    [property: Id(4)] double? LatencyP99Ms);
