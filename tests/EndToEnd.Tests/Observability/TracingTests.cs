using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Observability;

public sealed class TracingTests
{
    [Fact]
    public async Task One_trace_runs_from_the_invoke_request_through_the_function_call_to_the_sse_write_on_the_other_silo()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stub = await StubFunctionServer.StartAsync();
        var environment = ClusterFixture.SiloEnvironment(redis, "trace-" + Guid.NewGuid().ToString("N")[..10]);
        // The trace follows the live path (the silo's delivery channel). The fixture's 2 s delivery audit would, on a loaded
        // machine, sometimes fill the event from the grain first (no trace context there), and the live copy is
        // then dropped as a duplicate: no delivery span. The audit has its own tests (DeliveryAuditTests).
        environment["Clients__DeliveryAuditDelay"] = "00:01:00";
        var spans = new SpanList();
        await using var siloA = await InProcessSilo.StartAsync(environment, spans);
        await using var siloB = await InProcessSilo.StartAsync(environment);
        using var http = new HttpClient { BaseAddress = siloB.BaseAddress };
        await ClusterFixture.WaitForActiveSilosAsync(http, 2);
        using (var created = await http.PostAsJsonAsync("admin/functions", new { name = "traced", endpoint = stub.Url("echo").ToString() }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await using var sse = await SseClient.ConnectAsync(siloA.BaseAddress, "sse/traced-client");
        await sse.NextOfTypeAsync("connected");

        using var invoked = await http.PostAsJsonAsync("invoke/traced", new { payload = new { }, client_id = "traced-client", @async = true });
        Assert.Equal(HttpStatusCode.Accepted, invoked.StatusCode);
        var requestId = (await invoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString()!;
        await sse.NextOfTypeAsync("function_response");

        // The function received the trace context; every hop carries the same trace id.
        var traceparent = stub.Calls[requestId].Headers["traceparent"];
        var traceId = ActivityTraceId.CreateFromString(traceparent.Split('-')[1]);
        await Eventually.UntilAsync(() => Task.FromResult(spans.Any(s => s.TraceId == traceId && s.DisplayName == "sse deliver")), "the delivery span");
        var trace = spans.Where(s => s.TraceId == traceId).ToList();
        Assert.Contains(trace, s => s.Kind == ActivityKind.Server && s.GetTagItem("http.route") as string == "/invoke/{name}");
        Assert.Contains(trace, s => s.DisplayName == "function traced" && s.GetTagItem("sse.request_id") as string == requestId);
        Assert.Contains(trace, s => s.Kind == ActivityKind.Client && s.Source.Name == "System.Net.Http");
        var delivery = Assert.Single(trace, s => s.DisplayName == "sse deliver");
        Assert.Equal("traced-client", delivery.GetTagItem("sse.client_id"));
    }

    /// <summary>A thread-safe span sink for the in-memory exporter.</summary>
    private sealed class SpanList : ICollection<Activity>
    {
        private readonly ConcurrentQueue<Activity> _spans = new();

        public int Count => _spans.Count;

        public bool IsReadOnly => false;

        public void Add(Activity item) => _spans.Enqueue(item);

        public void Clear() => _spans.Clear();

        public bool Contains(Activity item) => _spans.Contains(item);

        public void CopyTo(Activity[] array, int arrayIndex) => _spans.CopyTo(array, arrayIndex);

        public bool Remove(Activity item) => throw new NotSupportedException();

        public IEnumerator<Activity> GetEnumerator() => _spans.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
