using Microsoft.Extensions.Time.Testing;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Functions.Routing;

namespace SseVirtualization.Grains.Tests.Functions.Routing;

/// <summary>An endpoint's health state: unknown, healthy and unhealthy, and the thresholds between them.</summary>
public sealed class EndpointHealthTests
{
    private static readonly HealthCheckSettings Settings = RoutingFakes.Health; // out after 3 failures, back after 2 passes
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void The_first_passed_check_makes_an_unknown_endpoint_healthy()
    {
        var endpoint = RoutingFakes.Endpoints(1)[0];

        Assert.True(endpoint.RecordCheck(true, _time.GetUtcNow(), 5, null, Settings));
        Assert.Equal(EndpointHealth.Healthy, endpoint.Health);
    }

    [Fact]
    public void An_endpoint_goes_out_only_after_the_unhealthy_threshold_of_consecutive_failures()
    {
        var endpoint = RoutingFakes.Endpoints(1)[0];
        endpoint.RecordCheck(true, _time.GetUtcNow(), 5, null, Settings);

        Assert.False(endpoint.RecordCheck(false, _time.GetUtcNow(), 5, "HTTP 500", Settings));
        Assert.False(endpoint.RecordCheck(false, _time.GetUtcNow(), 5, "HTTP 500", Settings));
        Assert.Equal(EndpointHealth.Healthy, endpoint.Health);
        Assert.True(endpoint.RecordCheck(false, _time.GetUtcNow(), 5, "HTTP 500", Settings));
        Assert.Equal(EndpointHealth.Unhealthy, endpoint.Health);
        Assert.False(endpoint.IsHealthy);
        Assert.Equal(3, endpoint.ConsecutiveFailures);
    }

    [Fact]
    public void A_passed_check_between_failures_starts_the_count_again()
    {
        var endpoint = RoutingFakes.Endpoints(1)[0];
        endpoint.RecordCheck(false, _time.GetUtcNow(), 5, "HTTP 500", Settings);
        endpoint.RecordCheck(false, _time.GetUtcNow(), 5, "HTTP 500", Settings);
        endpoint.RecordCheck(true, _time.GetUtcNow(), 5, null, Settings);
        endpoint.RecordCheck(false, _time.GetUtcNow(), 5, "HTTP 500", Settings);
        endpoint.RecordCheck(false, _time.GetUtcNow(), 5, "HTTP 500", Settings);

        Assert.Equal(EndpointHealth.Healthy, endpoint.Health);
        Assert.Equal(2, endpoint.ConsecutiveFailures);
    }

    [Fact]
    public void Failures_before_the_first_pass_leave_an_endpoint_unknown_and_taking_calls_until_the_threshold()
    {
        var endpoint = RoutingFakes.Endpoints(1)[0];
        endpoint.RecordCheck(false, _time.GetUtcNow(), 5, "HTTP 500", Settings);
        endpoint.RecordCheck(false, _time.GetUtcNow(), 5, "HTTP 500", Settings);

        Assert.Equal(EndpointHealth.Unknown, endpoint.Health);
        Assert.True(endpoint.IsHealthy);
    }

    [Fact]
    public void An_unhealthy_endpoint_comes_back_only_after_the_healthy_threshold_of_consecutive_passes()
    {
        var endpoint = RoutingFakes.Endpoints(1)[0];
        RoutingFakes.MakeUnhealthy(endpoint, _time);

        Assert.False(endpoint.RecordCheck(true, _time.GetUtcNow(), 5, null, Settings));
        Assert.Equal(EndpointHealth.Unhealthy, endpoint.Health);
        Assert.False(endpoint.RecordCheck(false, _time.GetUtcNow(), 5, "HTTP 500", Settings));
        Assert.False(endpoint.RecordCheck(true, _time.GetUtcNow(), 5, null, Settings));
        Assert.True(endpoint.RecordCheck(true, _time.GetUtcNow(), 5, null, Settings));
        Assert.Equal(EndpointHealth.Healthy, endpoint.Health);
    }

    [Fact]
    public void A_check_records_when_it_ran_how_long_it_took_and_why_it_failed()
    {
        var endpoint = RoutingFakes.Endpoints(1)[0];
        _time.Advance(TimeSpan.FromMinutes(3));

        endpoint.RecordCheck(false, _time.GetUtcNow(), 42.5, "HTTP 503", Settings);

        var status = endpoint.ToStatus();
        Assert.Equal(_time.GetUtcNow(), status.LastCheck);
        Assert.Equal(42.5, status.LastCheckLatencyMs);
        Assert.Equal("HTTP 503", status.LastCheckError);
        Assert.Equal("unknown", status.Health);
        Assert.Equal("off", status.Circuit);
    }
}
