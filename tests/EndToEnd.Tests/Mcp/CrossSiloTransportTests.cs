using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>
/// What no single SDK client can do by itself: land the requests of one session on different silos. Plain HTTP,
/// with the exact messages a client sends.
/// </summary>
[Collection(McpCollectionDefinition.Name)]
public sealed class CrossSiloTransportTests(McpFixture mcp)
{
    private static readonly object Initialize = new
    {
        jsonrpc = "2.0",
        id = 1,
        method = "initialize",
        @params = new { protocolVersion = "2025-11-25", capabilities = new { }, clientInfo = new { name = "cross-silo-test", version = "1" } },
    };

    private static HttpRequestMessage Post(Uri url, object message, string? sessionId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(message) };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
            request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        }

        return request;
    }

    [Fact]
    public async Task A_legacy_POST_on_silo_B_is_answered_on_the_SSE_stream_held_by_silo_A()
    {
        await using var stream = await SseClient.ConnectAsync(mcp.SiloA.BaseAddress, "mcp/sse");
        var endpoint = await stream.NextOfTypeAsync("endpoint");
        Assert.StartsWith("/mcp/messages?sessionId=", endpoint.Data, StringComparison.Ordinal);

        using var http = new HttpClient();
        var onB = new Uri(mcp.SiloB.BaseAddress, endpoint.Data.TrimStart('/'));
        using (var accepted = await http.SendAsync(Post(onB, Initialize)))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var initialized = JsonDocument.Parse((await stream.NextOfTypeAsync("message")).Data).RootElement;
        Assert.Equal(1, initialized.GetProperty("id").GetInt32());
        Assert.Equal("2025-11-25", initialized.GetProperty("result").GetProperty("protocolVersion").GetString());

        using (var accepted = await http.SendAsync(Post(onB, new { jsonrpc = "2.0", id = 2, method = "tools/list" })))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var listed = JsonDocument.Parse((await stream.NextOfTypeAsync("message")).Data).RootElement;
        Assert.Equal(2, listed.GetProperty("id").GetInt32());
        Assert.Contains(listed.GetProperty("result").GetProperty("tools").EnumerateArray(), t => t.GetProperty("name").GetString() == "echo");
    }

    [Fact]
    public async Task A_stream_closed_on_silo_A_mid_call_is_resumed_on_silo_B_with_the_answer()
    {
        var slow = await mcp.RegisterToolAsync("slow/3000", "slow");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var init = await http.SendAsync(Post(mcp.McpA, Initialize));
        var sessionId = init.Headers.GetValues("Mcp-Session-Id").Single();

        // Silo A closes the POST stream after Mcp:PollAfter; the last id it gave is where B resumes.
        string? lastId = null;
        using (var call = await http.SendAsync(
            Post(mcp.McpA, new { jsonrpc = "2.0", id = 7, method = "tools/call", @params = new { name = slow, arguments = new { } } }, sessionId),
            HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal("text/event-stream", call.Content.Headers.ContentType?.MediaType);
            await using var body = await call.Content.ReadAsStreamAsync();
            await foreach (var item in System.Net.ServerSentEvents.SseParser.Create(body).EnumerateAsync())
            {
                lastId = item.EventId;
                Assert.True(string.IsNullOrEmpty(item.Data), "the answer came before the stream was closed: " + item.Data);
            }
        }

        Assert.NotNull(lastId);
        await using var resumed = await SseClient.ConnectAsync(mcp.SiloB.BaseAddress, "mcp", request =>
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
            request.Headers.Add("Last-Event-ID", lastId);
        });
        var message = await resumed.NextOfTypeAsync("message");
        while (message.Data.Length == 0)
        {
            message = await resumed.NextOfTypeAsync("message"); // the priming event of the resumed stream
        }

        var answer = JsonDocument.Parse(message.Data).RootElement;
        Assert.Equal(7, answer.GetProperty("id").GetInt32());
        Assert.False(answer.GetProperty("result").GetProperty("isError").GetBoolean());
    }

    [Theory]
    [InlineData("Host", "evil.example.com")]
    [InlineData("Origin", "http://evil.example.com")]
    public async Task Requests_naming_a_foreign_host_or_origin_are_refused_before_anything_runs(string header, string value)
    {
        using var http = new HttpClient();
        using var request = Post(mcp.McpA, Initialize);
        if (header == "Host")
        {
            request.Headers.Host = value;
        }
        else
        {
            request.Headers.Add(header, value);
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
    }

    [Fact]
    public async Task Unknown_sessions_get_404_and_unsupported_protocol_versions_400()
    {
        using var http = new HttpClient();
        using var unknown = await http.SendAsync(Post(mcp.McpB, new { jsonrpc = "2.0", id = 1, method = "ping" }, "0123456789abcdef0123456789abcdef"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var init = await http.SendAsync(Post(mcp.McpA, Initialize));
        var sessionId = init.Headers.GetValues("Mcp-Session-Id").Single();
        using var request = Post(mcp.McpB, new { jsonrpc = "2.0", id = 2, method = "ping" }, sessionId);
        request.Headers.Remove("MCP-Protocol-Version");
        request.Headers.Add("MCP-Protocol-Version", "1999-01-01");
        using var badVersion = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, badVersion.StatusCode);

        using var notification = await http.SendAsync(Post(mcp.McpB, new { jsonrpc = "2.0", method = "notifications/initialized" }, sessionId));
        Assert.Equal(HttpStatusCode.Accepted, notification.StatusCode);
    }
}
