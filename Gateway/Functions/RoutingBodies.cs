using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Functions;

/// <summary>A registration's <c>health_check</c> object; each part left out takes its default.</summary>
internal sealed record HealthCheckBody : IValidatableObject
{
    /// <summary>Relative to the endpoint (<c>health</c>), or from its root (<c>/healthz</c>).</summary>
    public string? Path { get; init; }

    /// <summary>Time between checks of one endpoint, 100ms to 1h.</summary>
    [JsonConverter(typeof(GoDurationJsonConverter))]
    public TimeSpan? Interval { get; init; }

    /// <summary>How long one check may take, 10ms to 1m and no longer than the interval.</summary>
    [JsonConverter(typeof(GoDurationJsonConverter))]
    public TimeSpan? Timeout { get; init; }

    /// <summary>Consecutive failed checks that take an endpoint out.</summary>
    [Range(1, 100, ErrorMessage = "'health_check.unhealthy_threshold' must be an integer from 1 to 100.")]
    public int? UnhealthyThreshold { get; init; }

    /// <summary>Consecutive passed checks that bring it back.</summary>
    [Range(1, 100, ErrorMessage = "'health_check.healthy_threshold' must be an integer from 1 to 100.")]
    public int? HealthyThreshold { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var defaults = HealthCheckSettings.Default;
        if (Path is { } path && (path.Length is 0 or > 512 || path.Contains("://", StringComparison.Ordinal) || path.StartsWith("//", StringComparison.Ordinal)
            || !Uri.IsWellFormedUriString(path, UriKind.Relative)))
        {
            yield return new("'health_check.path' must be a relative path such as \"health\" or \"/healthz\".", ["path"]);
        }

        var interval = Interval ?? defaults.Interval;
        if (!Within(interval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)))
        {
            yield return new("'health_check.interval' must be a duration from \"100ms\" to \"1h\".", ["interval"]);
        }

        if (Timeout is { } timeout && !Within(timeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1)) || (Timeout ?? defaults.Timeout) > interval)
        {
            yield return new("'health_check.timeout' must be a duration from \"10ms\" to \"1m\", and no longer than the interval.", ["timeout"]);
        }
    }

    public HealthCheckSettings ToSettings()
    {
        var defaults = HealthCheckSettings.Default;
        return new(Path ?? defaults.Path, Interval ?? defaults.Interval, Timeout ?? defaults.Timeout,
            UnhealthyThreshold ?? defaults.UnhealthyThreshold, HealthyThreshold ?? defaults.HealthyThreshold);
    }

    internal static bool Within(TimeSpan value, TimeSpan min, TimeSpan max) => value >= min && value <= max;
}

/// <summary>A registration's <c>retry</c> object (<c>false</c> reads as <see cref="Off"/>).</summary>
internal sealed record RetryBody : IValidatableObject
{
    /// <summary>Set for <c>"retry": false</c>: no retries.</summary>
    [JsonIgnore]
    public bool Off { get; init; }

    /// <summary>Retries after the first attempt, 0 to 10.</summary>
    [Range(0, 10, ErrorMessage = "'retry.max_retries' must be an integer from 0 to 10.")]
    public int? MaxRetries { get; init; }

    /// <summary>The first backoff, 1ms to 1m.</summary>
    [JsonConverter(typeof(GoDurationJsonConverter))]
    public TimeSpan? BaseDelay { get; init; }

    /// <summary>The longest backoff, from the base delay to 5m.</summary>
    [JsonConverter(typeof(GoDurationJsonConverter))]
    public TimeSpan? MaxDelay { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var baseDelay = BaseDelay ?? RetrySettings.Default.BaseDelay;
        if (BaseDelay is { } given && !HealthCheckBody.Within(given, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1)))
        {
            yield return new("'retry.base_delay' must be a duration from \"1ms\" to \"1m\".", ["base_delay"]);
        }
        else if (!HealthCheckBody.Within(MaxDelay ?? RetrySettings.Default.MaxDelay, baseDelay, TimeSpan.FromMinutes(5)) && MaxDelay is not null)
        {
            yield return new("'retry.max_delay' must be a duration from 'base_delay' to \"5m\".", ["max_delay"]);
        }
    }

    public RetrySettings ToSettings()
    {
        var defaults = RetrySettings.Default;
        return Off
            ? defaults with { MaxRetries = 0 }
            : new(MaxRetries ?? defaults.MaxRetries, BaseDelay ?? defaults.BaseDelay, MaxDelay ?? defaults.MaxDelay);
    }
}

/// <summary>A registration's <c>circuit_breaker</c> object (<c>false</c> reads as <see cref="Off"/>).</summary>
internal sealed record CircuitBreakerBody : IValidatableObject
{
    /// <summary>Set for <c>"circuit_breaker": false</c>: no breaker.</summary>
    [JsonIgnore]
    public bool Off { get; init; }

    /// <summary>Failed share of the sampled calls that opens the circuit, above 0 and at most 1.</summary>
    public double? FailureRatio { get; init; }

    /// <summary>Calls in the sampling window before the ratio counts.</summary>
    [Range(2, 10_000, ErrorMessage = "'circuit_breaker.minimum_throughput' must be an integer from 2 to 10000.")]
    public int? MinimumThroughput { get; init; }

    /// <summary>The sampling window, 500ms to 1h.</summary>
    [JsonConverter(typeof(GoDurationJsonConverter))]
    public TimeSpan? SamplingDuration { get; init; }

    /// <summary>How long an open circuit stays open, 500ms to 1h.</summary>
    [JsonConverter(typeof(GoDurationJsonConverter))]
    public TimeSpan? BreakDuration { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FailureRatio is <= 0 or > 1)
        {
            yield return new("'circuit_breaker.failure_ratio' must be a number above 0 and at most 1.", ["failure_ratio"]);
        }

        if (SamplingDuration is { } sampling && !HealthCheckBody.Within(sampling, TimeSpan.FromMilliseconds(500), TimeSpan.FromHours(1)))
        {
            yield return new("'circuit_breaker.sampling_duration' must be a duration from \"500ms\" to \"1h\".", ["sampling_duration"]);
        }

        if (BreakDuration is { } breaking && !HealthCheckBody.Within(breaking, TimeSpan.FromMilliseconds(500), TimeSpan.FromHours(1)))
        {
            yield return new("'circuit_breaker.break_duration' must be a duration from \"500ms\" to \"1h\".", ["break_duration"]);
        }
    }

    public CircuitBreakerSettings? ToSettings()
    {
        var defaults = CircuitBreakerSettings.Default;
        return Off ? null : new(FailureRatio ?? defaults.FailureRatio, MinimumThroughput ?? defaults.MinimumThroughput,
            SamplingDuration ?? defaults.SamplingDuration, BreakDuration ?? defaults.BreakDuration);
    }
}
