using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>Starts MCP sessions and asks them for their tools with the plain HTTP messages a Streamable HTTP client sends.</summary>
public static class McpSessionProbe
{
    private const string Protocol = "2025-11-25";

    /// <summary>Initializes a session on <paramref name="silo"/> and returns its id.</summary>
    public static async Task<string> StartAsync(HttpClient http, Uri silo)
    {
        var initialize = new
        {
            jsonrpc = "2.0",
            id = 1,
            method = "initialize",
            @params = new { protocolVersion = Protocol, capabilities = new { }, clientInfo = new { name = "rolling-upgrade-test", version = "1" } },
        };
        using var response = await http.SendAsync(Post(silo, initialize, sessionId: null));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"initialize on {silo}: {(int)response.StatusCode} {body}");
        var sessionId = response.Headers.GetValues("Mcp-Session-Id").Single();

        using var initialized = await http.SendAsync(Post(silo, new { jsonrpc = "2.0", method = "notifications/initialized" }, sessionId));
        Assert.Equal(HttpStatusCode.Accepted, initialized.StatusCode);
        return sessionId;
    }

    /// <summary>The names of the tools session <paramref name="sessionId"/> lists when asked through <paramref name="silo"/>.</summary>
    public static async Task<IReadOnlyList<string>> ListToolsAsync(HttpClient http, Uri silo, string sessionId)
    {
        using var response = await http.SendAsync(Post(silo, new { jsonrpc = "2.0", id = 2, method = "tools/list" }, sessionId));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"tools/list of session {sessionId} on {silo}: {(int)response.StatusCode} {body}");
        var message = JsonDocument.Parse(MessageOf(response, body)).RootElement;
        Assert.True(message.TryGetProperty("result", out var result), $"tools/list of session {sessionId} on {silo}: {body}");
        return [.. result.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!)];
    }

    // The answer comes as JSON or as one message on an event stream, as the server chooses.
    private static string MessageOf(HttpResponseMessage response, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            return body;
        }

        return body.Split('\n')
            .Where(line => line.StartsWith("data:", StringComparison.Ordinal) && line.Length > "data:".Length + 1)
            .Select(line => line["data:".Length..].Trim())
            .First(data => data.Length > 0);
    }

    private static HttpRequestMessage Post(Uri silo, object message, string? sessionId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(silo, "mcp")) { Content = JsonContent.Create(message) };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
            request.Headers.Add("MCP-Protocol-Version", Protocol);
        }

        return request;
    }
}
