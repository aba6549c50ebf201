using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Functions;
using SseVirtualization.Grains.Functions.Routing;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Grains.Tests.Functions.Routing;

/// <summary>
/// The router over an in-process handler and a fake clock: the circuit breaker's break, retries and Retry-After
/// against the deadline, and health checks timed and bounded by the clock the router was given.
/// </summary>
public sealed class FunctionRouterTests
{
    private static readonly RetrySettings NoRetries = new(0, TimeSpan.Zero, TimeSpan.FromSeconds(5));

    // Opens after two calls in 30 s if half of them failed; stays open 15 s.
    private static readonly CircuitBreakerSettings Breaker = new(0.5, 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15));

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task An_endpoint_whose_circuit_opened_takes_no_calls_until_its_break_ends_on_the_clock()
    {
        var handler = ScriptedHandler.ByHost(host => host == "a" ? HttpStatusCode.InternalServerError : HttpStatusCode.OK);
        using var client = new HttpClient(handler);
        using var router = RoutingFakes.Router(RoutingFakes.Definition(new FunctionRouting(LoadBalancingPolicy.RoundRobin, null, NoRetries, Breaker, 0, 0), "a", "b"), _time);
        var a = router.Endpoints[0];

        await SendAndDisposeAsync(router, client, count: 3); // a (500), b, a (500): a's circuit opens
        Assert.True(a.IsCircuitOpen(_time.GetUtcNow()));
        Assert.Equal("open", a.ToStatus().Circuit);

        await SendAndDisposeAsync(router, client, count: 4);
        Assert.Equal(new[] { "a", "b", "a", "b", "b", "b", "b" }, handler.Hosts);

        _time.Advance(Breaker.BreakDuration - TimeSpan.FromMilliseconds(1));
        Assert.True(a.IsCircuitOpen(_time.GetUtcNow()));
        await SendAndDisposeAsync(router, client, count: 2);
        Assert.DoesNotContain("a", handler.Hosts.Skip(7));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(a.IsCircuitOpen(_time.GetUtcNow()));
        await SendAndDisposeAsync(router, client, count: 2);
        Assert.Contains("a", handler.Hosts.Skip(9)); // the probe call after the break
    }

    [Fact]
    public async Task A_failed_attempt_is_retried_on_another_endpoint()
    {
        var handler = ScriptedHandler.ByHost(host => host == "a" ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK);
        using var client = new HttpClient(handler);
        var retry = new RetrySettings(2, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        using var router = RoutingFakes.Router(RoutingFakes.Definition(new FunctionRouting(LoadBalancingPolicy.RoundRobin, null, retry, null, 0, 0), "a", "b"), _time);

        using var routed = await RoutingFakes.SendAsync(router, client, _time);

        Assert.Equal(HttpStatusCode.OK, routed.Response.StatusCode);
        Assert.Same(router.Endpoints[1], routed.Endpoint);
        Assert.Equal(1, routed.Retries);
        Assert.Equal(new[] { "a", "b" }, handler.Hosts);
    }

    [Fact]
    public async Task A_429_is_retried_after_its_Retry_After_when_that_fits_the_deadline_on_the_clock()
    {
        var handler = new ScriptedHandler((request, _) => Task.FromResult(request.RequestUri!.Host == "a" ? TooManyRequests(TimeSpan.FromSeconds(2)) : new HttpResponseMessage(HttpStatusCode.OK)));
        using var client = new HttpClient(handler);
        var retry = new RetrySettings(1, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        using var router = RoutingFakes.Router(RoutingFakes.Definition(new FunctionRouting(LoadBalancingPolicy.RoundRobin, null, retry, null, 0, 0), "a", "b"), _time);

        var sending = RoutingFakes.SendAsync(router, client, _time); // deadline 30 s from the fake now
        await Eventually.UntilAsync(
            () =>
            {
                // The retry waits out Retry-After on the fake clock: move it until the retry has run.
                _time.Advance(TimeSpan.FromMilliseconds(500));
                return Task.FromResult(sending.IsCompleted);
            },
            "the 429 to be retried after its Retry-After");

        using var routed = await sending;
        Assert.Equal(HttpStatusCode.OK, routed.Response.StatusCode);
        Assert.Equal(new[] { "a", "b" }, handler.Hosts);
    }

    [Fact]
    public async Task A_429_whose_Retry_After_ends_past_the_deadline_is_answered_as_it_is()
    {
        var handler = new ScriptedHandler((_, _) => Task.FromResult(TooManyRequests(TimeSpan.FromSeconds(4))));
        using var client = new HttpClient(handler);
        var retry = new RetrySettings(1, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        using var router = RoutingFakes.Router(RoutingFakes.Definition(new FunctionRouting(LoadBalancingPolicy.RoundRobin, null, retry, null, 0, 0), "a", "b"), _time);

        using var routed = await router.SendAsync(client, url => new HttpRequestMessage(HttpMethod.Post, url), _time.GetUtcNow() + TimeSpan.FromSeconds(3), CancellationToken.None);

        Assert.Equal(HttpStatusCode.TooManyRequests, routed.Response.StatusCode);
        Assert.Equal(0, routed.Retries);
    }

    [Fact]
    public async Task No_healthy_endpoint_is_an_error_of_its_own_and_not_retried()
    {
        var handler = ScriptedHandler.ByHost(_ => HttpStatusCode.OK);
        using var client = new HttpClient(handler);
        var retry = new RetrySettings(2, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        using var router = RoutingFakes.Router(RoutingFakes.Definition(new FunctionRouting(LoadBalancingPolicy.RoundRobin, RoutingFakes.Health, retry, null, 0, 0), "a"), _time);
        RoutingFakes.MakeUnhealthy(router.Endpoints[0], _time);

        await Assert.ThrowsAsync<NoHealthyEndpointException>(() => RoutingFakes.SendAsync(router, client, _time));
        Assert.Empty(handler.Hosts);
    }

    [Fact]
    public async Task A_health_check_is_stamped_and_timed_by_the_clock()
    {
        // The endpoint takes 150 ms of fake time to answer its health check.
        var handler = new ScriptedHandler((_, _) =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(150));
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        });
        using var client = new HttpClient(handler);
        using var router = RoutingFakes.Router(RoutingFakes.Definition(new FunctionRouting(LoadBalancingPolicy.RoundRobin, RoutingFakes.Health, NoRetries, null, 0, 0), "a"), _time);

        var changed = await router.CheckHealthAsync(client, _time, CancellationToken.None);

        var endpoint = Assert.Single(changed);
        Assert.Equal(EndpointHealth.Healthy, endpoint.Health);
        Assert.Equal(_time.GetUtcNow(), endpoint.LastCheck);
        Assert.Equal(150, endpoint.LastCheckLatencyMs);
        Assert.Equal(new[] { "a" }, handler.Hosts);
    }

    [Fact]
    public async Task A_health_check_that_gets_no_answer_fails_when_its_timeout_passes_on_the_clock()
    {
        // Ten minutes: only the fake clock can end this check within the test's wait.
        var health = RoutingFakes.Health with { Timeout = TimeSpan.FromMinutes(10) };
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new ScriptedHandler(async (_, cancellationToken) =>
        {
            asked.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var router = RoutingFakes.Router(RoutingFakes.Definition(new FunctionRouting(LoadBalancingPolicy.RoundRobin, health, NoRetries, null, 0, 0), "a"), _time);

        var checking = router.CheckHealthAsync(client, _time, CancellationToken.None);
        await asked.Task.WaitAsync(Eventually.DefaultTimeout);
        _time.Advance(health.Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(checking.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await checking.WaitAsync(Eventually.DefaultTimeout);

        var endpoint = router.Endpoints[0];
        Assert.Equal("no answer within 600000 ms", endpoint.LastCheckError);
        Assert.Equal(1, endpoint.ConsecutiveFailures);
        Assert.Equal(600_000, endpoint.LastCheckLatencyMs);
    }

    [Fact]
    public void A_re_registration_keeps_what_health_checks_learned_about_an_unchanged_endpoint()
    {
        var routing = new FunctionRouting(LoadBalancingPolicy.RoundRobin, RoutingFakes.Health, NoRetries, null, 0, 0);
        using var before = RoutingFakes.Router(RoutingFakes.Definition(routing, "a", "b"), _time);
        RoutingFakes.MakeUnhealthy(before.Endpoints[0], _time);

        using var after = new FunctionRouter(RoutingFakes.Definition(routing, "a", "c"), new FunctionStatisticsRecorder(_time.GetUtcNow()), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, _time, before);

        Assert.Equal(EndpointHealth.Unhealthy, after.Endpoints[0].Health);
        Assert.Equal(EndpointHealth.Unknown, after.Endpoints[1].Health);
    }

    private static HttpResponseMessage TooManyRequests(TimeSpan retryAfter)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(retryAfter);
        return response;
    }

    private async Task SendAndDisposeAsync(FunctionRouter router, HttpClient client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var routed = await RoutingFakes.SendAsync(router, client, _time);
        }
    }
}
