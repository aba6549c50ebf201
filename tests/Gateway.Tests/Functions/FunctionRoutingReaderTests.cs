using System.Text.Json;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Functions;

namespace SseVirtualization.Gateway.Tests.Functions;

public sealed class FunctionRoutingReaderTests
{
    private static (FunctionDefinition? Definition, string? Field) Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        var (definition, problem) = FunctionRegistrationReader.Read(document.RootElement, null, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(15));
        return (definition, problem?.ProblemDetails.Extensions.TryGetValue("field", out var field) == true ? (string?)field : null);
    }

    [Fact]
    public void A_seed_registration_gets_one_endpoint_and_the_default_routing()
    {
        var (definition, _) = Read("""{"name":"f","endpoint":"http://fn.example/x"}""");

        Assert.Equal([new Uri("http://fn.example/x")], definition!.Endpoints);
        Assert.Equal(FunctionRouting.Default, definition.Routing);
    }

    [Fact]
    public void Reads_every_routing_field()
    {
        var (definition, field) = Read("""
            {"name":"f","endpoints":["http://a.example/x","http://b.example/x"],"load_balancing":"least_outstanding",
             "health_check":{"path":"/healthz","interval":"5s","timeout":"1s","unhealthy_threshold":4,"healthy_threshold":1},
             "retry":{"max_retries":3,"base_delay":"50ms","max_delay":"2s"},
             "circuit_breaker":{"failure_ratio":0.25,"minimum_throughput":5,"sampling_duration":"10s","break_duration":"20s"},
             "max_concurrency":8,"max_queue":16}
            """);

        Assert.Null(field);
        Assert.Equal(2, definition!.Endpoints.Count);
        var routing = definition.Routing;
        Assert.Equal(LoadBalancingPolicy.LeastOutstanding, routing.LoadBalancing);
        Assert.Equal(new HealthCheckSettings("/healthz", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), 4, 1), routing.HealthCheck);
        Assert.Equal(new RetrySettings(3, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2)), routing.Retry);
        Assert.Equal(new CircuitBreakerSettings(0.25, 5, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20)), routing.CircuitBreaker);
        Assert.Equal((8, 16), (routing.MaxConcurrency, routing.MaxQueue));
    }

    [Fact]
    public void Switches_turn_health_checks_on_and_retries_and_breakers_off()
    {
        var (definition, _) = Read("""{"name":"f","endpoint":"http://a.example/","health_check":true,"retry":false,"circuit_breaker":false}""");

        Assert.Equal(HealthCheckSettings.Default, definition!.Routing.HealthCheck);
        Assert.Equal(0, definition.Routing.Retry.MaxRetries);
        Assert.Null(definition.Routing.CircuitBreaker);
    }

    [Theory]
    [InlineData("""{"name":"f","endpoint":"http://a/","endpoints":["http://b/"]}""", "endpoints")]
    [InlineData("""{"name":"f","endpoints":[]}""", "endpoints")]
    [InlineData("""{"name":"f","endpoints":["http://a/","http://a/"]}""", "endpoints")]
    [InlineData("""{"name":"f","endpoints":["ftp://a/"]}""", "endpoints")]
    [InlineData("""{"name":"f","endpoint":"http://user:pw@a/"}""", "endpoint")]
    [InlineData("""{"name":"f"}""", "endpoint")]
    [InlineData("""{"name":"f","endpoint":"http://a/","load_balancing":"fastest"}""", "load_balancing")]
    [InlineData("""{"name":"f","endpoint":"http://a/","health_check":{"path":"http://evil/"}}""", "health_check.path")]
    [InlineData("""{"name":"f","endpoint":"http://a/","health_check":{"interval":"1s","timeout":"2s"}}""", "health_check.timeout")]
    [InlineData("""{"name":"f","endpoint":"http://a/","health_check":{"unhealthy_threshold":0}}""", "health_check.unhealthy_threshold")]
    [InlineData("""{"name":"f","endpoint":"http://a/","retry":{"max_retries":11}}""", "retry.max_retries")]
    [InlineData("""{"name":"f","endpoint":"http://a/","retry":{"base_delay":"2s","max_delay":"1s"}}""", "retry.max_delay")]
    [InlineData("""{"name":"f","endpoint":"http://a/","circuit_breaker":{"failure_ratio":1.5}}""", "circuit_breaker.failure_ratio")]
    [InlineData("""{"name":"f","endpoint":"http://a/","circuit_breaker":{"minimum_throughput":1}}""", "circuit_breaker.minimum_throughput")]
    [InlineData("""{"name":"f","endpoint":"http://a/","max_concurrency":-1}""", "max_concurrency")]
    [InlineData("""{"name":"f","endpoint":"http://a/","max_queue":"ten"}""", "max_queue")]
    public void Names_the_field_at_fault(string json, string field) => Assert.Equal(field, Read(json).Field);
}
