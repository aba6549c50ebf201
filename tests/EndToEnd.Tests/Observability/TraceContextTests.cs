using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Observability;

/// <summary>Silos without an exporter (the cluster fixture's) still carry the caller's trace to functions.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class TraceContextTests(ClusterFixture cluster)
{
    // The test process may trace too (another test's in-process silo): its own trace must not replace the caller's.
    private HttpClient UntracedClient() =>
        new(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = cluster.SiloA.BaseAddress };

    [Theory]
    [InlineData("01")]
    [InlineData("00")]
    public async Task The_callers_trace_and_its_sampling_decision_reach_the_function(string flags)
    {
        var traceId = Guid.NewGuid().ToString("N");

        var (status, functionTrace) = await InvokeInTraceAsync(new { payload = new { } }, traceId, flags);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((traceId, flags), functionTrace);
    }

    [Theory]
    [InlineData("01")]
    [InlineData("00")]
    public async Task An_async_call_carries_the_callers_trace_through_the_ledger_to_the_function(string flags)
    {
        // Accepted into the client's ledger (a grain on whichever silo), then run by a one-way call: every grain hop
        // must carry the trace, also when nothing records it.
        var traceId = Guid.NewGuid().ToString("N");

        var (status, functionTrace) = await InvokeInTraceAsync(new { payload = new { }, client_id = "traced-" + traceId[..12], @async = true }, traceId, flags);

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal((traceId, flags), functionTrace);
    }

    /// <summary>Invokes a new echo function with a <c>traceparent</c>; returns the status and the trace id and flags the function saw.</summary>
    private async Task<(HttpStatusCode Status, (string TraceId, string Flags) FunctionTrace)> InvokeInTraceAsync(object body, string traceId, string flags)
    {
        var function = await cluster.RegisterAsync("echo");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"invoke/{function}") { Content = JsonContent.Create(body) };
        request.Headers.Add("traceparent", $"00-{traceId}-{Guid.NewGuid().ToString("N")[..16]}-{flags}");

        using var http = UntracedClient();
        using var response = await http.SendAsync(request);
        var requestId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString()!;
        await Eventually.UntilAsync(() => Task.FromResult(cluster.Stub.Calls.ContainsKey(requestId)), "the function to be called");
        var parts = cluster.Stub.Calls[requestId].Headers["traceparent"].Split('-');
        return (response.StatusCode, (parts[1], parts[3]));
    }

    [Fact]
    public async Task A_call_without_a_trace_gets_one_that_reaches_the_function()
    {
        var function = await cluster.RegisterAsync("echo");

        using var http = UntracedClient();
        using var response = await http.PostAsJsonAsync($"invoke/{function}", new { payload = new { } });

        var requestId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString()!;
        var parts = cluster.Stub.Calls[requestId].Headers["traceparent"].Split('-');
        Assert.Equal(32, parts[1].Length);
        Assert.NotEqual(new string('0', 32), parts[1]);
    }
}
