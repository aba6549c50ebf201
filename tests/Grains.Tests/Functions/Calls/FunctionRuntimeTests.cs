using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Functions;
using SseVirtualization.Grains.Functions.Calls;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Grains.Tests.Functions.Calls;

/// <summary>
/// The function runtime without a cluster, over an in-process handler that holds each call until the test
/// answers it: concurrency limits, draining under the old limit, a registration swap during calls in flight,
/// and the running set.
/// </summary>
public sealed class FunctionRuntimeTests : IDisposable
{
    private static readonly RetrySettings NoRetries = new(0, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    private readonly HeldCalls _calls = new();
    private readonly FunctionRuntime _runtime;

    public FunctionRuntimeTests()
    {
        var invoker = new FunctionInvoker(new HandlerFactory(_calls), Options.Create(new FunctionOptions()), new FunctionTelemetry(new Meters()), NullLogger<FunctionInvoker>.Instance);
        _runtime = new FunctionRuntime("f", invoker, NullLoggerFactory.Instance, new FakeTimeProvider(), "silo");
    }

    public void Dispose() => _runtime.Dispose();

    [Fact]
    public async Task Calls_over_the_limit_wait_in_the_queue_and_beyond_it_are_throttled()
    {
        _runtime.Use(Definition("a", maxConcurrency: 1, maxQueue: 1));

        var first = _runtime.CallAsync(Request("1"));
        await _calls.ArrivedAsync("1");
        var second = _runtime.CallAsync(Request("2"));
        var third = await _runtime.CallAsync(Request("3"));

        Assert.Equal(InvocationOutcome.Throttled, third.Outcome);
        var status = _runtime.Status()!;
        Assert.Equal(1, status.InFlight);
        Assert.Equal(1, status.Queued);
        Assert.False(_calls.HasArrived("2"));

        _calls.Answer("1");
        await _calls.ArrivedAsync("2");
        _calls.Answer("2");
        Assert.Equal(InvocationOutcome.Succeeded, (await first).Outcome);
        Assert.Equal(InvocationOutcome.Succeeded, (await second).Outcome);
        Assert.Equal(3, _runtime.Status()!.Statistics.Invocations);
    }

    [Fact]
    public async Task Calls_queued_when_the_limit_changes_drain_under_the_old_limit()
    {
        _runtime.Use(Definition("a", maxConcurrency: 1, maxQueue: 5));
        var first = _runtime.CallAsync(Request("1"));
        await _calls.ArrivedAsync("1");
        var queued = _runtime.CallAsync(Request("2"));

        _runtime.Use(Definition("a", maxConcurrency: 2, maxQueue: 5));
        var afterChange = _runtime.CallAsync(Request("3"));

        // The new limit has room at once; the call queued before the change still waits for the old limit's slot.
        await _calls.ArrivedAsync("3");
        Assert.False(_calls.HasArrived("2"));
        _calls.Answer("1");
        await _calls.ArrivedAsync("2");
        _calls.Answer("2");
        _calls.Answer("3");
        Assert.All(await Task.WhenAll(first, queued, afterChange), r => Assert.Equal(InvocationOutcome.Succeeded, r.Outcome));
    }

    [Fact]
    public async Task With_the_same_limits_a_new_registration_keeps_the_calls_in_flight_and_queued_in_their_places()
    {
        _runtime.Use(Definition("a", maxConcurrency: 1, maxQueue: 5));
        var first = _runtime.CallAsync(Request("1"));
        await _calls.ArrivedAsync("1");

        _runtime.Use(Definition("b", maxConcurrency: 1, maxQueue: 5));
        var second = _runtime.CallAsync(Request("2"));

        Assert.Equal(1, _runtime.Status()!.InFlight);
        Assert.Equal(1, _runtime.Status()!.Queued);
        Assert.False(_calls.HasArrived("2"));
        _calls.Answer("1");
        await _calls.ArrivedAsync("2");
        _calls.Answer("2");
        await Task.WhenAll(first, second);
    }

    [Fact]
    public async Task A_call_in_flight_keeps_the_registration_it_started_with()
    {
        _runtime.Use(Definition("a", maxConcurrency: 0, maxQueue: 0));
        var before = _runtime.CallAsync(Request("1"));
        await _calls.ArrivedAsync("1");

        _runtime.Use(Definition("b", maxConcurrency: 0, maxQueue: 0));
        var after = _runtime.CallAsync(Request("2"));
        await _calls.ArrivedAsync("2");
        _calls.Answer("1");
        _calls.Answer("2");

        Assert.Equal(InvocationOutcome.Succeeded, (await before).Outcome);
        Assert.Equal(InvocationOutcome.Succeeded, (await after).Outcome);
        Assert.Equal("a", _calls.HostOf("1"));
        Assert.Equal("b", _calls.HostOf("2"));
        Assert.Equal("b", _runtime.Definition!.Endpoints[0].Host);
        Assert.Equal(new Uri("http://b/"), Assert.Single(_runtime.Status()!.Endpoints).Url);
    }

    [Fact]
    public async Task Stopping_ends_the_calls_still_queued_and_forgets_the_registration()
    {
        _runtime.Use(Definition("a", maxConcurrency: 1, maxQueue: 5));
        var first = _runtime.CallAsync(Request("1"));
        await _calls.ArrivedAsync("1");
        var queued = _runtime.CallAsync(Request("2"));

        _runtime.Stop();

        Assert.Equal(InvocationOutcome.Throttled, (await queued.WaitAsync(Eventually.DefaultTimeout)).Outcome);
        Assert.Null(_runtime.Status());
        Assert.Null(_runtime.Definition);
        Assert.False(_calls.HasArrived("2"));
        _calls.Answer("1");
        await first.WaitAsync(Eventually.DefaultTimeout);
    }

    [Fact]
    public void The_running_set_holds_an_invocation_once_until_it_ends()
    {
        Assert.False(_runtime.IsRunning("r"));
        Assert.True(_runtime.TryBeginRunning("r"));
        Assert.False(_runtime.TryBeginRunning("r"));
        Assert.True(_runtime.IsRunning("r"));
        Assert.False(_runtime.IsRunning("other"));

        _runtime.EndRunning("r");

        Assert.False(_runtime.IsRunning("r"));
        Assert.True(_runtime.TryBeginRunning("r"));
    }

    private static InvocationRequest Request(string id) => new("{}", RequestId: id);

    private static FunctionDefinition Definition(string host, int maxConcurrency, int maxQueue) => new(
        "f",
        [new Uri($"http://{host}/")],
        "POST",
        TimeSpan.FromSeconds(30),
        string.Empty,
        new Dictionary<string, string>(),
        new FunctionRouting(LoadBalancingPolicy.RoundRobin, null, NoRetries, null, maxConcurrency, maxQueue));

    /// <summary>Holds each request (by its X-Request-ID) until the test answers it with 200 and a JSON body.</summary>
    private sealed class HeldCalls : HttpMessageHandler
    {
        private readonly ConcurrentDictionary<string, Held> _held = new();

        public Task<string> ArrivedAsync(string requestId) => HeldFor(requestId).Arrived.Task.WaitAsync(Eventually.DefaultTimeout);

        public bool HasArrived(string requestId) => HeldFor(requestId).Arrived.Task.IsCompleted;

        public string HostOf(string requestId) => HeldFor(requestId).Arrived.Task.Result;

        public void Answer(string requestId) => HeldFor(requestId).Answer.TrySetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var held = HeldFor(request.Headers.GetValues("X-Request-ID").Single());
            held.Arrived.TrySetResult(request.RequestUri!.Host);
            await held.Answer.Task.WaitAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"ok\":true}", System.Text.Encoding.UTF8, "application/json") };
        }

        private Held HeldFor(string requestId) => _held.GetOrAdd(requestId, _ => new Held());

        private sealed class Held
        {
            public TaskCompletionSource<string> Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public TaskCompletionSource Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private sealed class HandlerFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    private sealed class Meters : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
