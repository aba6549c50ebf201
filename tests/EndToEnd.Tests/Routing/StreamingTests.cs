using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Routing;

/// <summary>Functions that answer NDJSON or SSE: items are relayed as they arrive, with the design document's event names.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class StreamingTests(ClusterFixture cluster, Xunit.Abstractions.ITestOutputHelper output)
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static Task<SseClient> PostForEventsAsync(Uri silo, string function, object body) =>
        SseClient.ConnectAsync(silo, $"invoke/{function}", request =>
        {
            request.Method = HttpMethod.Post;
            request.Content = JsonContent.Create(body);
        });

    [Theory]
    [InlineData("ndjson")]
    [InlineData("sse")]
    public async Task A_sync_invoke_accepting_event_stream_relays_each_item_before_the_function_finishes(string format)
    {
        var gate = Unique("gate");
        var function = await cluster.RegisterAsync($"stream/{format}/3?gate={gate}");

        await using var events = await PostForEventsAsync(cluster.SiloB.BaseAddress, function, new { payload = new { q = "x" } });

        Assert.Equal("text/event-stream", events.Response.Content.Headers.ContentType?.MediaType);
        // The function holds its stream after the first item: that item must already be here.
        var first = await events.NextAsync();
        Assert.Equal("result", first.EventType);
        Assert.Equal(0, JsonDocument.Parse(first.Data).RootElement.GetProperty("n").GetInt32());
        cluster.Stub.Release(gate);
        Assert.Equal(1, JsonDocument.Parse((await events.NextOfTypeAsync("result")).Data).RootElement.GetProperty("n").GetInt32());
        Assert.Equal(2, JsonDocument.Parse((await events.NextOfTypeAsync("result")).Data).RootElement.GetProperty("n").GetInt32());
        var complete = await events.NextAsync();
        Assert.Equal("complete", complete.EventType);
        var totals = JsonDocument.Parse(complete.Data).RootElement;
        Assert.Equal(3, totals.GetProperty("total").GetInt32());
        Assert.Equal(events.Response.Headers.GetValues("X-Request-ID").Single(), totals.GetProperty("request_id").GetString());
        Assert.True(totals.GetProperty("duration_ms").GetDouble() > 0);
    }

    [Fact]
    public async Task Mcp_stream_turns_the_query_into_the_payload_and_streams_results_then_complete()
    {
        var function = await cluster.RegisterAsync("stream/sse/2");

        await using var events = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"mcp/stream?q=vector+search&function={function}&limit=5");

        var first = await events.NextAsync();
        Assert.Equal("result", first.EventType);
        var requestId = JsonDocument.Parse(first.Data).RootElement.GetProperty("request_id").GetString()!;
        var payload = JsonDocument.Parse(cluster.Stub.Calls[requestId].Body!).RootElement;
        Assert.Equal("vector search", payload.GetProperty("q").GetString());
        Assert.Equal("5", payload.GetProperty("limit").GetString());
        Assert.False(payload.TryGetProperty("function", out _));
        Assert.Equal("result", (await events.NextAsync()).EventType);
        var complete = await events.NextAsync();
        Assert.Equal("complete", complete.EventType);
        Assert.Equal(2, JsonDocument.Parse(complete.Data).RootElement.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_function_error_event_ends_the_stream_with_an_error_event()
    {
        var function = await cluster.RegisterAsync("stream/sse-error/2");

        await using var events = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"mcp/stream?q=x&function={function}");

        Assert.Equal("result", (await events.NextAsync()).EventType);
        Assert.Equal("result", (await events.NextAsync()).EventType);
        var error = await events.NextAsync();
        Assert.Equal("error", error.EventType);
        var body = JsonDocument.Parse(error.Data).RootElement;
        Assert.Contains("index unavailable", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, body.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Mcp_stream_answers_problem_json_for_an_unknown_or_missing_function()
    {
        using var unknown = await cluster.A.GetAsync("mcp/stream?q=x&function=no-such-function");
        using var missing = await cluster.A.GetAsync("mcp/stream?q=x");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("function", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_async_stream_invocation_sends_each_item_as_function_result_then_a_response_with_the_total()
    {
        var function = await cluster.RegisterAsync("stream/ndjson/4?delay_ms=20");
        var clientId = Unique("client");
        await using var sse = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}");
        await sse.NextOfTypeAsync("connected");

        using var accepted = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { }, client_id = clientId, @async = true, stream = true });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var requestId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString();

        for (var i = 0; i < 4; i++)
        {
            var item = JsonDocument.Parse((await sse.NextOfTypeAsync("function_result")).Data).RootElement;
            Assert.Equal(requestId, item.GetProperty("request_id").GetString());
            Assert.Equal(i, item.GetProperty("index").GetInt32());
            Assert.Equal(i, item.GetProperty("data").GetProperty("n").GetInt32());
        }

        var response = JsonDocument.Parse((await sse.NextOfTypeAsync("function_response")).Data).RootElement;
        Assert.True(response.GetProperty("success").GetBoolean());
        Assert.Equal(4, response.GetProperty("total").GetInt32());
        Assert.Equal(JsonValueKind.Null, response.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task Without_stream_a_streaming_answer_is_gathered_into_one_function_response()
    {
        var function = await cluster.RegisterAsync("stream/ndjson/3");
        var clientId = Unique("client");
        await using var sse = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}");
        await sse.NextOfTypeAsync("connected");

        using var accepted = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { }, client_id = clientId, @async = true });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        var first = await sse.NextAsync();
        while (first.EventType == "heartbeat")
        {
            first = await sse.NextAsync();
        }

        Assert.Equal("function_response", first.EventType);
        var response = JsonDocument.Parse(first.Data).RootElement;
        Assert.Equal([0, 1, 2], response.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("n").GetInt32()));
        Assert.Equal(3, response.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_caller_that_stops_reading_stops_the_function_being_read()
    {
        const int items = 50_000; // 1 KiB each: 50 MiB if nothing pushed back
        var tag = Unique("pressure");
        var function = await cluster.RegisterAsync($"stream/ndjson/{items}?size=1000&tag={tag}", timeout: "120s");

        using var http = new HttpClient { BaseAddress = cluster.SiloB.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"invoke/{function}") { Content = JsonContent.Create(new { payload = new { } }) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            var firstBytes = new byte[64];
            await body.ReadAtLeastAsync(firstBytes, firstBytes.Length);
            Assert.StartsWith("event: result", System.Text.Encoding.UTF8.GetString(firstBytes), StringComparison.Ordinal);

            // The caller reads nothing more: the function's writes must stall well before the end.
            var last = -1;
            var unchangedSince = System.Diagnostics.Stopwatch.StartNew();
            await Eventually.UntilAsync(
                () =>
                {
                    var now = cluster.Stub.ItemsWritten(tag);
                    if (now != last)
                    {
                        (last, unchangedSince) = (now, System.Diagnostics.Stopwatch.StartNew());
                    }

                    return Task.FromResult(now == items || unchangedSince.Elapsed > TimeSpan.FromSeconds(3));
                },
                "the function's stream to stall or finish",
                TimeSpan.FromSeconds(90));
            output.WriteLine($"the function's writes stalled after {last} of {items} items (~{last} KiB) while the caller read 64 bytes");
            Assert.True(last < items / 2, $"the function wrote {last} of {items} items to a caller that read one");
        }
    }
}
