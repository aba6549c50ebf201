using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Invocation;

[Collection(ClusterCollectionDefinition.Name)]
public sealed class InvokeTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Async_result_invoked_on_silo_B_reaches_client_connected_to_silo_A()
    {
        var clientId = "client-" + Guid.NewGuid().ToString("N")[..10];
        var function = await cluster.RegisterAsync("echo");
        await using var sse = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}");
        await sse.NextOfTypeAsync("connected");

        using var response = await cluster.B.PostAsJsonAsync($"invoke/{function}",
            new { payload = new { text = "Hello, World!" }, client_id = clientId, @async = true });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("accepted", accepted.GetProperty("status").GetString());
        var requestId = accepted.GetProperty("request_id").GetString();

        var item = await sse.NextOfTypeAsync("function_response");
        Assert.NotNull(item.EventId);
        var result = JsonDocument.Parse(item.Data).RootElement;
        Assert.Equal(requestId, result.GetProperty("request_id").GetString());
        Assert.Equal(function, result.GetProperty("function").GetString());
        Assert.True(result.GetProperty("success").GetBoolean());
        Assert.Equal(200, result.GetProperty("status_code").GetInt32());
        Assert.Equal("Hello, World!", result.GetProperty("data").GetProperty("payload").GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("error").ValueKind);
        Assert.True(result.GetProperty("duration_ms").GetDouble() >= 0);

        var call = cluster.Stub.Calls[requestId!];
        Assert.Equal(clientId, call.ClientId);
    }

    [Fact]
    public async Task Sync_invoke_answers_with_the_function_result_and_sends_the_registered_headers()
    {
        var function = await cluster.RegisterAsync("echo");

        using var response = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { a = 1, list = new[] { 1, 2, 3 } } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(result.GetProperty("success").GetBoolean());
        Assert.Equal(200, result.GetProperty("status_code").GetInt32());
        var data = result.GetProperty("data");
        Assert.Equal("POST", data.GetProperty("method").GetString());
        Assert.Equal(3, data.GetProperty("payload").GetProperty("list").GetArrayLength());
        var requestId = result.GetProperty("request_id").GetString()!;
        Assert.Equal(requestId, data.GetProperty("request_id").GetString());
        var call = cluster.Stub.Calls[requestId];
        Assert.Equal("Bearer stub-secret", call.Headers["Authorization"]);
        Assert.StartsWith("application/json", call.Headers["Content-Type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Function_error_answers_502_with_its_status_and_body()
    {
        var function = await cluster.RegisterAsync("status/503");

        using var response = await cluster.A.PostAsJsonAsync($"invoke/{function}", new { payload = new { } });

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(result.GetProperty("success").GetBoolean());
        Assert.Equal(503, result.GetProperty("status_code").GetInt32());
        Assert.Equal("stub failure", result.GetProperty("data").GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Text_answers_arrive_as_a_json_string()
    {
        var function = await cluster.RegisterAsync("text");

        using var response = await cluster.A.PostAsJsonAsync($"invoke/{function}", new { payload = new { } });

        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("plain words\nover two lines", result.GetProperty("data").GetString());
    }

    [Fact]
    public async Task Slow_function_answers_504_after_the_invocation_timeout()
    {
        var function = await cluster.RegisterAsync("slow/20000", timeout: "30s");

        using var response = await cluster.A.PostAsJsonAsync($"invoke/{function}", new { payload = new { }, timeout = 0.5 });

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(result.GetProperty("success").GetBoolean());
        Assert.Equal(0, result.GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task Unreachable_function_answers_502()
    {
        var name = "fn-" + Guid.NewGuid().ToString("N")[..10];
        using var created = await cluster.A.PostAsJsonAsync("admin/functions",
            new { name, endpoint = $"http://127.0.0.1:{FreePort.Next()}/gone" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var response = await cluster.B.PostAsJsonAsync($"invoke/{name}", new { payload = new { } });

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, result.GetProperty("status_code").GetInt32());
        Assert.Contains("reached", result.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invocations_of_one_function_run_concurrently()
    {
        // The stub holds every call until four are in flight at once: serialized calls would never finish.
        var gate = Guid.NewGuid().ToString("N");
        var function = await cluster.RegisterAsync($"gate/{gate}/4");

        var calls = Enumerable.Range(0, 4).Select(i =>
            (i % 2 == 0 ? cluster.A : cluster.B).PostAsJsonAsync($"invoke/{function}", new { payload = new { i } }));
        var responses = await Task.WhenAll(calls);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }
}
