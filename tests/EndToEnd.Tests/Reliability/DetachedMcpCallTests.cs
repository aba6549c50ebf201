using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;
using Xunit.Abstractions;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>
/// MCP tool calls whose POST stream was closed (Mcp:PollAfter) go on in the background; a SIGTERM waits for them until
/// the drain deadline and then answers what is left with a clear error, and the silo still exits.
/// </summary>
public sealed class DetachedMcpCallTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["SHUTDOWN_TIMEOUT"] = "00:00:08",
        ["Mcp__PollAfter"] = "00:00:00.400",
        ["Mcp__KeepAliveInterval"] = "00:00:02",
    };

    [Fact]
    public async Task Sigterm_lets_a_detached_tool_call_deliver_its_result_and_ends_one_past_the_deadline_with_a_clear_error()
    {
        await using var stub = await StubFunctionServer.StartAsync();
        await using var cluster = await OwnCluster.StartAsync(silos: 2, settings: Settings);
        var (leaving, staying) = (cluster.Silos[0], cluster.Silos[1]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        await RegisterAsync(http, staying, "finishes", stub.Url("slow/3000"));
        await RegisterAsync(http, staying, "outlasts", stub.Url("slow/600000")); // ten minutes: far past the drain deadline

        var mcp = new Uri(leaving.BaseAddress, "mcp");
        string sessionId;
        using (var init = await http.SendAsync(Post(mcp, new
        {
            jsonrpc = "2.0",
            id = 1,
            method = "initialize",
            @params = new { protocolVersion = "2025-11-25", capabilities = new { }, clientInfo = new { name = "shutdown-test", version = "1" } },
        })))
        {
            sessionId = init.Headers.GetValues("Mcp-Session-Id").Single();
        }

        // Both POST streams close after Mcp:PollAfter with the calls still running on the leaving silo.
        var finishesFrom = await CallUntilStreamClosesAsync(http, mcp, sessionId, 7, "finishes");
        var outlastsFrom = await CallUntilStreamClosesAsync(http, mcp, sessionId, 8, "outlasts");

        var stopping = Stopwatch.StartNew();
        await leaving.TerminateAsync();
        Assert.True(await leaving.WaitForExitAsync(TimeSpan.FromSeconds(8 + 10 + 30)), $"the silo still runs {stopping.Elapsed} after SIGTERM:\n{leaving.RecentOutput}");
        output.WriteLine($"exited {stopping.Elapsed.TotalSeconds:F1} s after SIGTERM with code {leaving.ExitCode} (SHUTDOWN_TIMEOUT 8 s)");
        Assert.Equal(0, leaving.ExitCode);

        // The client resumes each call on the other silo, as a Streamable HTTP client does after a closed stream.
        var finished = await ResumeAsync(staying, sessionId, finishesFrom);
        Assert.Equal(7, finished.GetProperty("id").GetInt32());
        Assert.False(finished.GetProperty("result").GetProperty("isError").GetBoolean(), finished.GetRawText());

        var cutOff = await ResumeAsync(staying, sessionId, outlastsFrom);
        Assert.Equal(8, cutOff.GetProperty("id").GetInt32());
        Assert.Equal(-32603, cutOff.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("server stopped before this request finished", cutOff.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static async Task RegisterAsync(HttpClient http, SiloProcess silo, string name, Uri endpoint)
    {
        using var response = await http.PostAsJsonAsync(new Uri(silo.BaseAddress, "admin/functions"), new
        {
            name,
            endpoint = endpoint.ToString(),
            description = "A tool that takes its time",
            timeout = "15m",
            retry = false,
            input_schema = new { type = "object" },
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Calls <paramref name="tool"/> and reads its POST stream until the silo closes it; the last event id.</summary>
    private static async Task<string> CallUntilStreamClosesAsync(HttpClient http, Uri mcp, string sessionId, int id, string tool)
    {
        using var call = await http.SendAsync(
            Post(mcp, new { jsonrpc = "2.0", id, method = "tools/call", @params = new { name = tool, arguments = new { } } }, sessionId),
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", call.Content.Headers.ContentType?.MediaType);
        string? lastId = null;
        await using var body = await call.Content.ReadAsStreamAsync();
        await foreach (var item in SseParser.Create(body).EnumerateAsync())
        {
            lastId = item.EventId;
            Assert.True(string.IsNullOrEmpty(item.Data), "the answer came before the stream was closed: " + item.Data);
        }

        return lastId ?? throw new InvalidOperationException("The POST stream had no event id to resume from.");
    }

    private static async Task<JsonElement> ResumeAsync(SiloProcess silo, string sessionId, string lastEventId)
    {
        await using var resumed = await SseClient.ConnectAsync(silo.BaseAddress, "mcp", request =>
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
            request.Headers.Add("Last-Event-ID", lastEventId);
        });
        while (true)
        {
            var message = await resumed.NextOfTypeAsync("message", TimeSpan.FromSeconds(60));
            if (message.Data.Length > 0)
            {
                return JsonDocument.Parse(message.Data).RootElement.Clone();
            }
        }
    }

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
}
