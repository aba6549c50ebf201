using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// Reads the routing part of a registration: <c>load_balancing</c>, <c>health_check</c>, <c>retry</c>,
/// <c>circuit_breaker</c>, <c>max_concurrency</c> and <c>max_queue</c>. Each may be left out for its default.
/// </summary>
internal static class FunctionRoutingReader
{
    public const int MaxConcurrencyLimit = 10_000;
    public const int MaxQueueLimit = 100_000;

    public static (FunctionRouting? Routing, ProblemHttpResult? Problem) Read(JsonElement body)
    {
        var defaults = FunctionRouting.Default;
        var policy = defaults.LoadBalancing;
        if (Present(body, "load_balancing", out var policyElement))
        {
            policy = policyElement.ValueKind == JsonValueKind.String ? policyElement.GetString() switch
            {
                "round_robin" => LoadBalancingPolicy.RoundRobin,
                "least_outstanding" => LoadBalancingPolicy.LeastOutstanding,
                "random" => LoadBalancingPolicy.Random,
                _ => (LoadBalancingPolicy)(-1),
            } : (LoadBalancingPolicy)(-1);
            if (!Enum.IsDefined(policy))
            {
                return Fail("load_balancing", "'load_balancing' must be \"round_robin\", \"least_outstanding\" or \"random\".");
            }
        }

        var (health, problem) = ReadHealthCheck(body);
        if (problem is not null)
        {
            return (null, problem);
        }

        var (retry, retryProblem) = ReadRetry(body);
        if (retryProblem is not null)
        {
            return (null, retryProblem);
        }

        var (breaker, breakerProblem) = ReadCircuitBreaker(body);
        if (breakerProblem is not null)
        {
            return (null, breakerProblem);
        }

        if (!TryInt(body, "max_concurrency", defaults.MaxConcurrency, 0, MaxConcurrencyLimit, out var maxConcurrency))
        {
            return Fail("max_concurrency", $"'max_concurrency' must be an integer from 0 (no limit) to {MaxConcurrencyLimit}.");
        }

        if (!TryInt(body, "max_queue", defaults.MaxQueue, 0, MaxQueueLimit, out var maxQueue))
        {
            return Fail("max_queue", $"'max_queue' must be an integer from 0 to {MaxQueueLimit}.");
        }

        return (new FunctionRouting(policy, health, retry!, breaker, maxConcurrency, maxQueue), null);
    }

    private static (HealthCheckSettings?, ProblemHttpResult?) ReadHealthCheck(JsonElement body)
    {
        if (!Present(body, "health_check", out var element) || element.ValueKind == JsonValueKind.False)
        {
            return (null, null);
        }

        var defaults = HealthCheckSettings.Default;
        if (element.ValueKind == JsonValueKind.True)
        {
            return (defaults, null);
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return (null, Problems.Invalid("health_check", "'health_check' must be true, false or an object."));
        }

        var path = defaults.Path;
        if (Present(element, "path", out var pathElement))
        {
            path = pathElement.ValueKind == JsonValueKind.String ? pathElement.GetString()! : string.Empty;
            if (path.Length is 0 or > 512 || path.Contains("://", StringComparison.Ordinal) || path.StartsWith("//", StringComparison.Ordinal)
                || !Uri.IsWellFormedUriString(path, UriKind.Relative))
            {
                return (null, Problems.Invalid("health_check.path", "'health_check.path' must be a relative path such as \"health\" or \"/healthz\"."));
            }
        }

        if (!TryDuration(element, "interval", defaults.Interval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), out var interval))
        {
            return (null, Problems.Invalid("health_check.interval", "'health_check.interval' must be a duration from \"100ms\" to \"1h\"."));
        }

        if (!TryDuration(element, "timeout", defaults.Timeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1), out var timeout) || timeout > interval)
        {
            return (null, Problems.Invalid("health_check.timeout", "'health_check.timeout' must be a duration from \"10ms\" to \"1m\", and no longer than the interval."));
        }

        if (!TryInt(element, "unhealthy_threshold", defaults.UnhealthyThreshold, 1, 100, out var unhealthy))
        {
            return (null, Problems.Invalid("health_check.unhealthy_threshold", "'health_check.unhealthy_threshold' must be an integer from 1 to 100."));
        }

        if (!TryInt(element, "healthy_threshold", defaults.HealthyThreshold, 1, 100, out var healthy))
        {
            return (null, Problems.Invalid("health_check.healthy_threshold", "'health_check.healthy_threshold' must be an integer from 1 to 100."));
        }

        return (new HealthCheckSettings(path, interval, timeout, unhealthy, healthy), null);
    }

    private static (RetrySettings?, ProblemHttpResult?) ReadRetry(JsonElement body)
    {
        var defaults = RetrySettings.Default;
        if (!Present(body, "retry", out var element))
        {
            return (defaults, null);
        }

        if (element.ValueKind == JsonValueKind.False)
        {
            return (defaults with { MaxRetries = 0 }, null);
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return (null, Problems.Invalid("retry", "'retry' must be false or an object."));
        }

        if (!TryInt(element, "max_retries", defaults.MaxRetries, 0, 10, out var maxRetries))
        {
            return (null, Problems.Invalid("retry.max_retries", "'retry.max_retries' must be an integer from 0 to 10."));
        }

        if (!TryDuration(element, "base_delay", defaults.BaseDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), out var baseDelay))
        {
            return (null, Problems.Invalid("retry.base_delay", "'retry.base_delay' must be a duration from \"1ms\" to \"1m\"."));
        }

        if (!TryDuration(element, "max_delay", defaults.MaxDelay, baseDelay, TimeSpan.FromMinutes(5), out var maxDelay))
        {
            return (null, Problems.Invalid("retry.max_delay", "'retry.max_delay' must be a duration from 'base_delay' to \"5m\"."));
        }

        return (new RetrySettings(maxRetries, baseDelay, maxDelay), null);
    }

    private static (CircuitBreakerSettings?, ProblemHttpResult?) ReadCircuitBreaker(JsonElement body)
    {
        var defaults = CircuitBreakerSettings.Default;
        if (!Present(body, "circuit_breaker", out var element))
        {
            return (defaults, null);
        }

        if (element.ValueKind == JsonValueKind.False)
        {
            return (null, null);
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return (null, Problems.Invalid("circuit_breaker", "'circuit_breaker' must be false or an object."));
        }

        var ratio = defaults.FailureRatio;
        if (Present(element, "failure_ratio", out var ratioElement)
            && (!ratioElement.TryGetDouble(out ratio) || ratio is <= 0 or > 1 || ratioElement.ValueKind != JsonValueKind.Number))
        {
            return (null, Problems.Invalid("circuit_breaker.failure_ratio", "'circuit_breaker.failure_ratio' must be a number above 0 and at most 1."));
        }

        if (!TryInt(element, "minimum_throughput", defaults.MinimumThroughput, 2, 10_000, out var throughput))
        {
            return (null, Problems.Invalid("circuit_breaker.minimum_throughput", "'circuit_breaker.minimum_throughput' must be an integer from 2 to 10000."));
        }

        if (!TryDuration(element, "sampling_duration", defaults.SamplingDuration, TimeSpan.FromMilliseconds(500), TimeSpan.FromHours(1), out var sampling))
        {
            return (null, Problems.Invalid("circuit_breaker.sampling_duration", "'circuit_breaker.sampling_duration' must be a duration from \"500ms\" to \"1h\"."));
        }

        if (!TryDuration(element, "break_duration", defaults.BreakDuration, TimeSpan.FromMilliseconds(500), TimeSpan.FromHours(1), out var breakDuration))
        {
            return (null, Problems.Invalid("circuit_breaker.break_duration", "'circuit_breaker.break_duration' must be a duration from \"500ms\" to \"1h\"."));
        }

        return (new CircuitBreakerSettings(ratio, throughput, sampling, breakDuration), null);
    }

    private static bool Present(JsonElement body, string name, out JsonElement value) =>
        body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static bool TryInt(JsonElement body, string name, int fallback, int min, int max, out int value)
    {
        value = fallback;
        if (!Present(body, name, out var element))
        {
            return true;
        }

        return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out value) && value >= min && value <= max;
    }

    private static bool TryDuration(JsonElement body, string name, TimeSpan fallback, TimeSpan min, TimeSpan max, out TimeSpan value)
    {
        value = fallback;
        if (!Present(body, name, out var element))
        {
            return true;
        }

        return element.ValueKind == JsonValueKind.String && GoDuration.TryParse(element.GetString()!, out value) && value >= min && value <= max;
    }

    private static (FunctionRouting?, ProblemHttpResult?) Fail(string field, string detail) => (null, Problems.Invalid(field, detail));
}
