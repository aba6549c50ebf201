using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions.Routing;

/// <summary>
/// Routes a function's calls over its endpoints: load balancing, health, Polly retries that move to another
/// endpoint, a circuit breaker per endpoint, and the function's concurrency limit. One per registration version,
/// held by the function's <see cref="Calls.FunctionRuntime"/> (so health and breakers are per function, where its
/// grain runs); a registration change builds the next one from it.
/// </summary>
internal sealed class FunctionRouter : IDisposable
{
    private static readonly ResiliencePropertyKey<Attempts> AttemptsKey = new("sse.attempts");

    private readonly EndpointSelector _selector;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly ConcurrencyLimiter? _limiter;
    private bool _limiterHandedOver;

    /// <param name="definition">The registration to route.</param>
    /// <param name="statistics">Counts the retries.</param>
    /// <param name="loggers">For the Polly pipelines' telemetry.</param>
    /// <param name="time">
    /// The clock for breaker windows and breaks, retry delays and Retry-After (Polly's pipelines run on it too),
    /// so tests can move it.
    /// </param>
    /// <param name="previous">The router this one replaces: its endpoints' health and, with the same limits, its limiter carry over.</param>
    public FunctionRouter(FunctionDefinition definition, FunctionStatisticsRecorder statistics, ILoggerFactory loggers, TimeProvider time, FunctionRouter? previous)
    {
        Definition = definition;
        var routing = definition.Routing;
        _selector = new EndpointSelector(routing.LoadBalancing, time);
        Endpoints = definition.Endpoints.Select(url => CreateEndpoint(definition, url, loggers, time)).ToList();
        foreach (var endpoint in Endpoints)
        {
            var before = previous?.Endpoints.FirstOrDefault(e => e.Url == endpoint.Url);
            if (before is not null && routing.HealthCheck is not null)
            {
                endpoint.CopyHealthFrom(before);
            }
        }

        _retry = CreateRetryPipeline(definition, statistics, loggers, time);
        if (previous?._limiter is { } kept && previous.Definition.Routing.MaxConcurrency == routing.MaxConcurrency
            && previous.Definition.Routing.MaxQueue == routing.MaxQueue)
        {
            // Same limits: the calls in flight and in the queue keep their places.
            _limiter = kept;
            previous._limiterHandedOver = true;
        }
        else if (routing.MaxConcurrency > 0)
        {
            _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = routing.MaxConcurrency,
                QueueLimit = routing.MaxQueue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }
    }

    public FunctionDefinition Definition { get; }

    public IReadOnlyList<EndpointState> Endpoints { get; }

    public int InFlight => _limiter is null ? Endpoints.Sum(e => e.Outstanding) : Definition.Routing.MaxConcurrency - (int)(_limiter.GetStatistics()?.CurrentAvailablePermits ?? 0);

    public int Queued => (int)(_limiter?.GetStatistics()?.CurrentQueuedCount ?? 0);

    /// <summary>Waits for a slot under the function's concurrency limit; a lease that is not acquired means refuse.</summary>
    public async ValueTask<RateLimitLease> AcquireSlotAsync(CancellationToken cancellationToken) =>
        _limiter is null ? NoLimit.Lease : await _limiter.AcquireAsync(1, cancellationToken);

    /// <summary>
    /// Sends one invocation, retrying per the function's settings; returns the response (headers read) and the
    /// endpoint that answered, counted as in flight until the response is disposed.
    /// </summary>
    /// <exception cref="NoHealthyEndpointException">Every endpoint is out after health checks.</exception>
    public async Task<RoutedResponse> SendAsync(HttpClient client, Func<Uri, HttpRequestMessage> createRequest, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true, cancellationToken: cancellationToken);
        var attempts = new Attempts(deadline);
        context.Properties.Set(AttemptsKey, attempts);
        try
        {
            var response = await _retry.ExecuteAsync(
                static async (context, state) =>
                {
                    var (router, client, createRequest) = state;
                    var attempts = context.Properties.GetValue(AttemptsKey, null!);
                    var endpoint = router._selector.Select(router.Endpoints, attempts.Tried, attempts.Last)
                        ?? throw new NoHealthyEndpointException(router.Endpoints.Count);
                    attempts.Tried.Add(endpoint);
                    attempts.Last = endpoint;
                    attempts.Count++;
                    endpoint.BeginCall();
                    try
                    {
                        return await endpoint.Breaker.ExecuteAsync(
                            static async (context, state) =>
                            {
                                using var request = state.createRequest(state.endpoint.Url);
                                return await state.client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.CancellationToken);
                            },
                            context,
                            (endpoint, client, createRequest));
                    }
                    finally
                    {
                        endpoint.EndCall();
                    }
                },
                context,
                (this, client, createRequest));
            return new RoutedResponse(response, attempts.Last!, attempts.Count - 1);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Checks every endpoint once, concurrently; returns the endpoints whose state changed. <paramref name="time"/>
    /// stamps, times and bounds the checks (the grain passes the same clock the router was built with).
    /// </summary>
    public async Task<IReadOnlyList<EndpointState>> CheckHealthAsync(HttpClient client, TimeProvider time, CancellationToken cancellationToken)
    {
        var settings = Definition.Routing.HealthCheck;
        if (settings is null)
        {
            return [];
        }

        var checks = Endpoints.Select(async endpoint =>
        {
            var started = time.GetTimestamp();
            var (passed, error) = await ProbeAsync(client, endpoint.HealthUrl!, settings.Timeout, time, cancellationToken);
            var changed = endpoint.RecordCheck(passed, time.GetUtcNow(), time.GetElapsedTime(started).TotalMilliseconds, error, settings);
            return changed ? endpoint : null;
        });
        var results = await Task.WhenAll(checks);
        return results.OfType<EndpointState>().ToList();
    }

    /// <summary>Ends the limiter (failing calls still queued) unless a newer router took it over.</summary>
    public void Dispose()
    {
        if (!_limiterHandedOver)
        {
            _limiter?.Dispose();
        }
    }

    private async Task<(bool Passed, string? Error)> ProbeAsync(HttpClient client, Uri url, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var expiry = new CancellationTokenSource(timeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            FunctionRequests.AddHeaders(request, Definition.Headers);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 400 ? (true, null) : (false, $"HTTP {status}");
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (false, $"no answer within {timeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException ex)
        {
            return (false, ex.InnerException is EgressRefusedException refused ? refused.Message : ex.HttpRequestError.ToString());
        }
    }

    private static EndpointState CreateEndpoint(FunctionDefinition definition, Uri url, ILoggerFactory loggers, TimeProvider time)
    {
        var settings = definition.Routing.CircuitBreaker;
        if (settings is null)
        {
            return new EndpointState(url, definition.Routing.HealthCheck, ResiliencePipeline<HttpResponseMessage>.Empty, null);
        }

        var circuit = new CircuitBreakerStateProvider();
        EndpointState? endpoint = null;
        var breaker = new ResiliencePipelineBuilder<HttpResponseMessage> { Name = $"function-endpoint:{definition.Name}", InstanceName = url.GetLeftPart(UriPartial.Path), TimeProvider = time }
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = settings.FailureRatio,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = settings.SamplingDuration,
                BreakDuration = settings.BreakDuration,
                StateProvider = circuit,
                ShouldHandle = args => ValueTask.FromResult(IsEndpointFailure(args.Outcome)),
                OnOpened = args =>
                {
                    endpoint?.CircuitOpened(time.GetUtcNow(), args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
            })
            .ConfigureTelemetry(loggers)
            .Build();
        endpoint = new EndpointState(url, definition.Routing.HealthCheck, breaker, circuit);
        return endpoint;
    }

    private static ResiliencePipeline<HttpResponseMessage> CreateRetryPipeline(FunctionDefinition definition, FunctionStatisticsRecorder statistics, ILoggerFactory loggers, TimeProvider time)
    {
        var settings = definition.Routing.Retry;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { Name = $"function:{definition.Name}", TimeProvider = time };
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxRetries,
                Delay = settings.BaseDelay,
                MaxDelay = settings.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args, settings, time)),
                OnRetry = _ =>
                {
                    statistics.RecordRetry();
                    return ValueTask.CompletedTask;
                },
            });
        }

        return builder.ConfigureTelemetry(loggers).Build();
    }

    /// <summary>Transport errors, an open circuit, 502/503/504, and 429 when its Retry-After fits the wait and the deadline.</summary>
    private static bool ShouldRetry(RetryPredicateArguments<HttpResponseMessage> args, RetrySettings settings, TimeProvider time)
    {
        switch (args.Outcome.Exception)
        {
            case NoHealthyEndpointException:
                return false;
            case BrokenCircuitException:
                return true;
            case HttpRequestException http:
                return http.InnerException is not EgressRefusedException && http.HttpRequestError != HttpRequestError.ConfigurationLimitExceeded;
            case not null:
                return false;
        }

        var response = args.Outcome.Result!;
        switch (response.StatusCode)
        {
            case HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout:
                return true;
            case HttpStatusCode.TooManyRequests:
                var now = time.GetUtcNow();
                var wait = RetryAfter(response, now) ?? settings.BaseDelay;
                var attempts = args.Context.Properties.GetValue(AttemptsKey, null!);
                return wait <= settings.MaxDelay && now + wait < attempts.Deadline;
            default:
                return false;
        }
    }

    /// <summary>What counts against an endpoint's circuit: it could not be reached or it failed on its side.</summary>
    private static bool IsEndpointFailure(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        HttpRequestException http => http.InnerException is not EgressRefusedException,
        not null => false,
        _ => (int)outcome.Result!.StatusCode >= 500,
    };

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - now : null;
    }

    /// <summary>Endpoints one invocation has tried, so a retry moves on to another.</summary>
    private sealed class Attempts(DateTimeOffset deadline)
    {
        public DateTimeOffset Deadline { get; } = deadline;

        public HashSet<EndpointState> Tried { get; } = [];

        public EndpointState? Last { get; set; }

        public int Count { get; set; }
    }

    private sealed class NoLimit : RateLimitLease
    {
        public static readonly NoLimit Lease = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}

/// <summary>A function's answer (headers read) and the endpoint it came from; disposing ends the call.</summary>
internal sealed class RoutedResponse(HttpResponseMessage response, EndpointState endpoint, int retries) : IDisposable
{
    private bool _disposed;

    public HttpResponseMessage Response { get; } = Begin(response, endpoint);

    public EndpointState Endpoint { get; } = endpoint;

    public int Retries { get; } = retries;

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Endpoint.EndCall();
            Response.Dispose();
        }
    }

    private static HttpResponseMessage Begin(HttpResponseMessage response, EndpointState endpoint)
    {
        endpoint.BeginCall();
        return response;
    }
}

/// <summary>Every endpoint of the function is out after health checks.</summary>
internal sealed class NoHealthyEndpointException(int endpoints)
    : Exception($"none of the function's {endpoints} endpoint(s) is healthy");
