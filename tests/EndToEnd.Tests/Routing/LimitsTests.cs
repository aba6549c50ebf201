using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Routing;

/// <summary>A function's concurrency limit and queue, answer size limit, and the headers every call carries.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class LimitsTests(ClusterFixture cluster)
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Beyond_max_concurrency_calls_wait_in_the_queue_and_beyond_the_queue_get_429()
    {
        var name = Unique("narrow");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.Stub.Script(name, StubStep.HoldUntil(release));
        var function = await cluster.RegisterAsync(new() { ["endpoint"] = cluster.Stub.Url("ep/" + name).ToString(), ["max_concurrency"] = 1, ["max_queue"] = 1 });
        var clientId = Unique("client");
        await using var sse = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}");
        await sse.NextOfTypeAsync("connected");

        var running = cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { } });
        await Eventually.UntilAsync(() => Task.FromResult(cluster.Stub.CallsTo(name) == 1), "the first call to reach the function");
        var queued = cluster.A.PostAsJsonAsync($"invoke/{function}", new { payload = new { } });
        await Eventually.UntilAsync(
            async () => (await cluster.A.GetFromJsonAsync<JsonElement>($"admin/functions/{function}")).GetProperty("stats").GetProperty("queued").GetInt32() == 1,
            "the second call to wait in the queue");

        using var refused = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { } });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("concurrency limit (1)", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var asyncRefused = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { }, client_id = clientId, @async = true });
        Assert.Equal(HttpStatusCode.Accepted, asyncRefused.StatusCode);
        var response = JsonDocument.Parse((await sse.NextOfTypeAsync("function_response")).Data).RootElement;
        Assert.False(response.GetProperty("success").GetBoolean());
        Assert.Contains("concurrency limit", response.GetProperty("error").GetString(), StringComparison.Ordinal);

        Assert.Equal(1, cluster.Stub.CallsTo(name));
        release.SetResult();
        using var first = await running;
        using var second = await queued;
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, cluster.Stub.CallsTo(name));
    }

    [Fact]
    public async Task An_answer_over_the_size_limit_fails_with_a_clear_error()
    {
        var function = await cluster.RegisterAsync("big/5000000");

        using var response = await cluster.A.PostAsJsonAsync($"invoke/{function}", new { payload = new { } });

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("larger than the configured limit (4194304 bytes)", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task Every_call_carries_the_request_id_the_client_id_and_a_w3c_traceparent()
    {
        var function = await cluster.RegisterAsync("echo");
        var clientId = Unique("client");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"invoke/{function}") { Content = JsonContent.Create(new { payload = new { }, client_id = clientId }) };
        request.Headers.Add("X-Request-ID", "trace-me-1");

        using var response = await cluster.B.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = cluster.Stub.Calls["trace-me-1"];
        Assert.Equal(clientId, call.ClientId);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", call.Headers["traceparent"]);
    }
}
