namespace SseVirtualization.Functions;

/// <summary>How calls to a function's endpoints are spread, checked, retried and limited.</summary>
/// <param name="LoadBalancing">Which healthy endpoint takes the next call.</param>
/// <param name="HealthCheck">Active health checks, or null when off.</param>
/// <param name="Retry">Retries of transient failures, each on another endpoint when one is healthy.</param>
/// <param name="CircuitBreaker">Per-endpoint circuit breaker, or null when off.</param>
/// <param name="MaxConcurrency">Calls in flight at once across the cluster; 0 for no limit.</param>
/// <param name="MaxQueue">Calls that may wait for a free slot when <paramref name="MaxConcurrency"/> is reached; more are refused (429).</param>
[GenerateSerializer, Immutable, Alias("sse.FunctionRouting")]
public sealed record FunctionRouting(
    [property: Id(0)] LoadBalancingPolicy LoadBalancing,
    [property: Id(1)] HealthCheckSettings? HealthCheck,
    [property: Id(2)] RetrySettings Retry,
    [property: Id(3)] CircuitBreakerSettings? CircuitBreaker,
    [property: Id(4)] int MaxConcurrency,
    [property: Id(5)] int MaxQueue)
{
    /// <summary>Round robin, no health checks, 2 retries, a breaker per endpoint, no concurrency limit.</summary>
    public static FunctionRouting Default { get; } =
        new(LoadBalancingPolicy.RoundRobin, null, RetrySettings.Default, CircuitBreakerSettings.Default, 0, 100);
}

/// <summary>Which endpoint takes the next call.</summary>
public enum LoadBalancingPolicy
{
    /// <summary>Each healthy endpoint in turn.</summary>
    RoundRobin = 0,

    /// <summary>The healthy endpoint with the fewest calls in flight.</summary>
    LeastOutstanding = 1,

    /// <summary>A healthy endpoint chosen at random.</summary>
    Random = 2,
}

/// <summary>Active health checks: a GET to each endpoint's health URL on a timer, while the function grain is active.</summary>
/// <param name="Path">
/// Relative to the endpoint (<c>health</c> checks <c>{endpoint}/health</c>), or from the endpoint's root when it
/// starts with <c>/</c>.
/// </param>
/// <param name="Interval">Time between checks of one endpoint.</param>
/// <param name="Timeout">How long one check may take.</param>
/// <param name="UnhealthyThreshold">Consecutive failed checks that take an endpoint out.</param>
/// <param name="HealthyThreshold">Consecutive passed checks that bring it back.</param>
[GenerateSerializer, Immutable, Alias("sse.HealthCheckSettings")]
public sealed record HealthCheckSettings(
    [property: Id(0)] string Path,
    [property: Id(1)] TimeSpan Interval,
    [property: Id(2)] TimeSpan Timeout,
    [property: Id(3)] int UnhealthyThreshold,
    [property: Id(4)] int HealthyThreshold)
{
    /// <summary><c>{endpoint}/health</c> every 10 s, 2 s timeout, out after 3 failures, back after 2 passes.</summary>
    public static HealthCheckSettings Default { get; } = new("health", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), 3, 2);
}

/// <summary>
/// Retries of transport errors, 502/503/504 and 429 (after its Retry-After), with jittered exponential backoff,
/// all within the invocation's timeout.
/// </summary>
/// <param name="MaxRetries">Retries after the first attempt; 0 turns retries off.</param>
/// <param name="BaseDelay">Backoff before the first retry (doubling, jittered).</param>
/// <param name="MaxDelay">The longest wait before one retry, Retry-After included.</param>
[GenerateSerializer, Immutable, Alias("sse.RetrySettings")]
public sealed record RetrySettings(
    [property: Id(0)] int MaxRetries,
    [property: Id(1)] TimeSpan BaseDelay,
    [property: Id(2)] TimeSpan MaxDelay)
{
    /// <summary>2 retries from 100 ms, waits capped at 5 s.</summary>
    public static RetrySettings Default { get; } = new(2, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
}

/// <summary>A circuit breaker per endpoint: opens when too many recent calls failed, then lets one probe through.</summary>
/// <param name="FailureRatio">Share of failed calls (0..1) in the sampling window that opens the circuit.</param>
/// <param name="MinimumThroughput">Calls needed in the window before the ratio counts.</param>
/// <param name="SamplingDuration">The window.</param>
/// <param name="BreakDuration">How long an open circuit refuses calls before a probe.</param>
[GenerateSerializer, Immutable, Alias("sse.CircuitBreakerSettings")]
public sealed record CircuitBreakerSettings(
    [property: Id(0)] double FailureRatio,
    [property: Id(1)] int MinimumThroughput,
    [property: Id(2)] TimeSpan SamplingDuration,
    [property: Id(3)] TimeSpan BreakDuration)
{
    /// <summary>Opens at 50% failures over 30 s once 10 calls were made; stays open 15 s.</summary>
    public static CircuitBreakerSettings Default { get; } = new(0.5, 10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15));
}
