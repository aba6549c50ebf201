using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Polly;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Functions;
using SseVirtualization.Grains.Functions.Routing;

namespace SseVirtualization.Grains.Tests.Functions.Routing;

/// <summary>Endpoints, definitions and an in-process HTTP handler for the routing unit tests.</summary>
internal static class RoutingFakes
{
    public static readonly HealthCheckSettings Health = new("health", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), UnhealthyThreshold: 3, HealthyThreshold: 2);

    /// <summary>Endpoints with no breaker, named http://a/, http://b/, ...</summary>
    public static EndpointState[] Endpoints(int count) =>
        Enumerable.Range(0, count)
            .Select(i => new EndpointState(new Uri($"http://{(char)('a' + i)}/"), Health, ResiliencePipeline<HttpResponseMessage>.Empty, null))
            .ToArray();

    /// <summary>Takes an endpoint out with as many failed checks as the threshold asks.</summary>
    public static void MakeUnhealthy(EndpointState endpoint, TimeProvider time)
    {
        for (var i = 0; i < Health.UnhealthyThreshold; i++)
        {
            endpoint.RecordCheck(false, time.GetUtcNow(), 1, "HTTP 500", Health);
        }
    }

    public static FunctionDefinition Definition(FunctionRouting routing, params string[] hosts) => new(
        "f",
        hosts.Select(h => new Uri($"http://{h}/")).ToList(),
        "POST",
        TimeSpan.FromSeconds(30),
        string.Empty,
        new Dictionary<string, string>(),
        routing);

    public static FunctionRouter Router(FunctionDefinition definition, FakeTimeProvider time) =>
        new(definition, new FunctionStatisticsRecorder(time.GetUtcNow()), NullLoggerFactory.Instance, time, previous: null);

    public static Task<RoutedResponse> SendAsync(FunctionRouter router, HttpClient client, FakeTimeProvider time) =>
        router.SendAsync(client, url => new HttpRequestMessage(HttpMethod.Post, url), time.GetUtcNow() + TimeSpan.FromSeconds(30), CancellationToken.None);
}

/// <summary>Answers each request with what the test says for its host; records the hosts asked, in order.</summary>
internal sealed class ScriptedHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
{
    private readonly List<string> _hosts = [];

    public IReadOnlyList<string> Hosts
    {
        get
        {
            lock (_hosts)
            {
                return _hosts.ToList();
            }
        }
    }

    public static ScriptedHandler ByHost(Func<string, HttpStatusCode> status) =>
        new((request, _) => Task.FromResult(new HttpResponseMessage(status(request.RequestUri!.Host))));

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (_hosts)
        {
            _hosts.Add(request.RequestUri!.Host);
        }

        return answer(request, cancellationToken);
    }
}
