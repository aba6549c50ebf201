using Polly;
using Polly.CircuitBreaker;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions.Routing;

/// <summary>One endpoint of a function: its health as checked, its circuit breaker and the calls in flight to it.</summary>
internal sealed class EndpointState
{
    private int _outstanding;
    private DateTimeOffset _openUntil;

    public EndpointState(Uri url, HealthCheckSettings? healthCheck, ResiliencePipeline<HttpResponseMessage> breaker, CircuitBreakerStateProvider? circuit)
    {
        Url = url;
        HealthUrl = healthCheck is null ? null : HealthUrlOf(url, healthCheck.Path);
        Breaker = breaker;
        Circuit = circuit;
    }

    public Uri Url { get; }

    public Uri? HealthUrl { get; }

    /// <summary>Runs one attempt through this endpoint's circuit breaker (an empty pipeline when breaking is off).</summary>
    public ResiliencePipeline<HttpResponseMessage> Breaker { get; }

    public CircuitBreakerStateProvider? Circuit { get; }

    public EndpointHealth Health { get; private set; } = EndpointHealth.Unknown;

    public DateTimeOffset? LastCheck { get; private set; }

    public double? LastCheckLatencyMs { get; private set; }

    public string? LastCheckError { get; private set; }

    public int ConsecutiveFailures { get; private set; }

    public int ConsecutiveSuccesses { get; private set; }

    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Health checks may take it out; an open circuit refuses calls until its break ends.</summary>
    public bool IsHealthy => Health != EndpointHealth.Unhealthy;

    /// <summary>
    /// An open circuit refuses calls until its break ends. Polly reports "open" until a call goes through the
    /// breaker again, so the break's end is tracked here: after it, the endpoint takes one probe call.
    /// </summary>
    public bool IsCircuitOpen(DateTimeOffset now) => Circuit?.CircuitState switch
    {
        CircuitState.Isolated => true,
        CircuitState.Open => now < _openUntil,
        CircuitState.HalfOpen => true, // its probe is in flight
        _ => false,
    };

    /// <summary>Called when the breaker opens, with how long it stays open.</summary>
    public void CircuitOpened(DateTimeOffset now, TimeSpan breakDuration) => _openUntil = now + breakDuration;

    public void BeginCall() => Interlocked.Increment(ref _outstanding);

    public void EndCall() => Interlocked.Decrement(ref _outstanding);

    /// <summary>Records a health check; returns true when the endpoint changed state.</summary>
    public bool RecordCheck(bool passed, DateTimeOffset at, double latencyMs, string? error, HealthCheckSettings settings)
    {
        LastCheck = at;
        LastCheckLatencyMs = latencyMs;
        LastCheckError = error;
        var before = Health;
        if (passed)
        {
            ConsecutiveFailures = 0;
            ConsecutiveSuccesses++;
            if (Health == EndpointHealth.Unknown || ConsecutiveSuccesses >= settings.HealthyThreshold)
            {
                Health = EndpointHealth.Healthy;
            }
        }
        else
        {
            ConsecutiveSuccesses = 0;
            ConsecutiveFailures++;
            if (ConsecutiveFailures >= settings.UnhealthyThreshold)
            {
                Health = EndpointHealth.Unhealthy;
            }
        }

        return before != Health;
    }

    /// <summary>Keeps what an earlier router learned about the same URL across a re-registration.</summary>
    public void CopyHealthFrom(EndpointState previous)
    {
        Health = previous.Health;
        LastCheck = previous.LastCheck;
        LastCheckLatencyMs = previous.LastCheckLatencyMs;
        LastCheckError = previous.LastCheckError;
        ConsecutiveFailures = previous.ConsecutiveFailures;
        ConsecutiveSuccesses = previous.ConsecutiveSuccesses;
    }

    /// <summary>What callers see: the URL with its query values redacted (they may hold a key).</summary>
    public EndpointStatus ToStatus() => new(
        SseVirtualization.Functions.EndpointRedaction.Redact(Url),
        Health switch
        {
            EndpointHealth.Healthy => "healthy",
            EndpointHealth.Unhealthy => "unhealthy",
            _ => "unknown",
        },
        Circuit?.CircuitState switch
        {
            null => "off",
            CircuitState.Closed => "closed",
            CircuitState.HalfOpen => "half_open",
            _ => "open",
        },
        LastCheck,
        ConsecutiveFailures,
        LastCheckLatencyMs,
        LastCheckError,
        Outstanding);

    private static Uri HealthUrlOf(Uri endpoint, string path)
    {
        if (path.StartsWith('/'))
        {
            return new Uri(endpoint, path);
        }

        // Relative to the endpoint itself: "health" on https://host/fn is https://host/fn/health.
        var builder = new UriBuilder(endpoint) { Query = string.Empty };
        builder.Path = builder.Path.TrimEnd('/') + "/" + path;
        return builder.Uri;
    }
}

internal enum EndpointHealth
{
    Unknown,
    Healthy,
    Unhealthy,
}
