using Microsoft.Extensions.Time.Testing;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Functions.Routing;

namespace SseVirtualization.Grains.Tests.Functions.Routing;

/// <summary>The load-balancing policies over healthy endpoints, and how a retry picks its endpoint.</summary>
public sealed class EndpointSelectorTests
{
    private static readonly HashSet<EndpointState> NoneTried = [];
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Round_robin_takes_each_endpoint_in_turn()
    {
        var endpoints = RoutingFakes.Endpoints(3);
        var selector = new EndpointSelector(LoadBalancingPolicy.RoundRobin, _time);

        var picked = Enumerable.Range(0, 7).Select(_ => selector.Select(endpoints, NoneTried, null)).ToList();

        Assert.Equal(new EndpointState?[] { endpoints[0], endpoints[1], endpoints[2], endpoints[0], endpoints[1], endpoints[2], endpoints[0] }, picked);
    }

    [Fact]
    public void Round_robin_skips_an_unhealthy_endpoint()
    {
        var endpoints = RoutingFakes.Endpoints(3);
        RoutingFakes.MakeUnhealthy(endpoints[1], _time);
        var selector = new EndpointSelector(LoadBalancingPolicy.RoundRobin, _time);

        var picked = Enumerable.Range(0, 4).Select(_ => selector.Select(endpoints, NoneTried, null)).ToList();

        Assert.Equal(new EndpointState?[] { endpoints[0], endpoints[2], endpoints[0], endpoints[2] }, picked);
    }

    [Fact]
    public void A_round_robin_retry_takes_the_endpoint_after_the_failed_one_without_moving_the_rotation()
    {
        var endpoints = RoutingFakes.Endpoints(3);
        var selector = new EndpointSelector(LoadBalancingPolicy.RoundRobin, _time);

        var first = selector.Select(endpoints, NoneTried, null);
        var retry = selector.Select(endpoints, new HashSet<EndpointState> { first! }, first);
        var next = selector.Select(endpoints, NoneTried, null);

        Assert.Same(endpoints[0], first);
        Assert.Same(endpoints[1], retry);
        Assert.Same(endpoints[1], next); // the retry did not count as a turn
    }

    [Fact]
    public void A_retry_skips_endpoints_already_tried_and_wraps_around()
    {
        var endpoints = RoutingFakes.Endpoints(3);
        var selector = new EndpointSelector(LoadBalancingPolicy.RoundRobin, _time);

        var retry = selector.Select(endpoints, new HashSet<EndpointState> { endpoints[2], endpoints[0] }, endpoints[2]);

        Assert.Same(endpoints[1], retry);
    }

    [Fact]
    public void When_every_endpoint_was_tried_a_retry_may_use_any_healthy_one_again()
    {
        var endpoints = RoutingFakes.Endpoints(2);
        var selector = new EndpointSelector(LoadBalancingPolicy.RoundRobin, _time);

        var retry = selector.Select(endpoints, new HashSet<EndpointState>(endpoints), endpoints[0]);

        Assert.Same(endpoints[1], retry);
    }

    [Fact]
    public void Least_outstanding_takes_the_endpoint_with_fewest_calls_in_flight()
    {
        var endpoints = RoutingFakes.Endpoints(3);
        endpoints[0].BeginCall();
        endpoints[0].BeginCall();
        endpoints[1].BeginCall();
        var selector = new EndpointSelector(LoadBalancingPolicy.LeastOutstanding, _time);

        Assert.Same(endpoints[2], selector.Select(endpoints, NoneTried, null));

        endpoints[2].BeginCall();
        endpoints[2].BeginCall();
        Assert.Same(endpoints[1], selector.Select(endpoints, NoneTried, null));

        endpoints[0].EndCall();
        endpoints[0].EndCall();
        Assert.Same(endpoints[0], selector.Select(endpoints, NoneTried, null));
    }

    [Fact]
    public void Least_outstanding_shares_ties_round_robin_instead_of_always_taking_the_first()
    {
        var endpoints = RoutingFakes.Endpoints(3);
        endpoints[2].BeginCall();
        var selector = new EndpointSelector(LoadBalancingPolicy.LeastOutstanding, _time);

        var picked = Enumerable.Range(0, 6).Select(_ => selector.Select(endpoints, NoneTried, null)).ToList();

        // The turn counts over all candidates, then over the tied ones, so the share is even only over many calls.
        Assert.DoesNotContain(endpoints[2], picked);
        Assert.Contains(endpoints[0], picked);
        Assert.Contains(endpoints[1], picked);
    }

    [Fact]
    public void Least_outstanding_ignores_an_idle_but_unhealthy_endpoint()
    {
        var endpoints = RoutingFakes.Endpoints(2);
        endpoints[1].BeginCall();
        RoutingFakes.MakeUnhealthy(endpoints[0], _time);
        var selector = new EndpointSelector(LoadBalancingPolicy.LeastOutstanding, _time);

        Assert.Same(endpoints[1], selector.Select(endpoints, NoneTried, null));
    }

    [Fact]
    public void Random_only_picks_healthy_endpoints_and_reaches_each_of_them()
    {
        var endpoints = RoutingFakes.Endpoints(3);
        RoutingFakes.MakeUnhealthy(endpoints[0], _time);
        var selector = new EndpointSelector(LoadBalancingPolicy.Random, _time);

        var picked = Enumerable.Range(0, 200).Select(_ => selector.Select(endpoints, NoneTried, null)).ToHashSet();

        // 200 fair draws between two miss one of them with probability 2^-199.
        Assert.DoesNotContain(endpoints[0], picked);
        Assert.Contains(endpoints[1], picked);
        Assert.Contains(endpoints[2], picked);
    }

    [Theory]
    [InlineData(LoadBalancingPolicy.RoundRobin)]
    [InlineData(LoadBalancingPolicy.LeastOutstanding)]
    [InlineData(LoadBalancingPolicy.Random)]
    public void No_endpoint_when_every_one_is_unhealthy(LoadBalancingPolicy policy)
    {
        var endpoints = RoutingFakes.Endpoints(2);
        RoutingFakes.MakeUnhealthy(endpoints[0], _time);
        RoutingFakes.MakeUnhealthy(endpoints[1], _time);

        Assert.Null(new EndpointSelector(policy, _time).Select(endpoints, NoneTried, null));
    }

    [Fact]
    public void Endpoints_not_yet_checked_take_calls()
    {
        var endpoints = RoutingFakes.Endpoints(1);

        Assert.Equal(EndpointHealth.Unknown, endpoints[0].Health);
        Assert.Same(endpoints[0], new EndpointSelector(LoadBalancingPolicy.RoundRobin, _time).Select(endpoints, NoneTried, null));
    }
}
